/**
 * A real gateway on port 0 in front of the simulators, with the providers' origins pointed at
 * them and test keys configured. Helpers wait for records to land in the store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import Anthropic from '@anthropic-ai/sdk';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/index.js';
import { contextOf } from '../../src/gateway.js';
import type { GatewayContext } from '../../src/context.js';
import type { RequestRecord } from '../../src/store/types.js';
import type { SyncTiming } from '../../src/sync/engine.js';
import { startSimulators, type Simulators } from '../simulators/index.js';

export const KEYS = {
  openai: 'sk-test-openai-key-1234567890',
  anthropic: 'sk-ant-test-key-1234567890',
  google: 'AIza-test-google-key-12345',
  elevenlabs: 'xi-test-eleven-key-12345',
};

/** A Claude plan's OAuth token: sent as `Authorization: Bearer` with the oauth beta, it is billed `subscription`. */
export const PLAN_TOKEN = 'sk-ant-oat01-test-plan-token-1234567890';

/** An Anthropic SDK client signed in with a Claude plan, as Claude Code sends it (`headers` are added). */
export const claudePlanClient = (baseURL: string, headers: Record<string, string> = {}): Anthropic =>
  new Anthropic({
    authToken: PLAN_TOKEN,
    apiKey: null,
    baseURL,
    maxRetries: 0,
    defaultHeaders: { 'anthropic-beta': 'oauth-2025-04-20', ...headers },
  });

export interface Harness {
  sims: Simulators;
  gw: Gateway;
  /** The gateway's inside (store, sync, config), for assertions. */
  ctx: GatewayContext;
  dataDir: string;
  /** Waits until the store holds `n` records in total and returns them, newest first. */
  records(n: number): Promise<RequestRecord[]>;
  /** The record of a request id (from `x-lava-desktop-request-id`). */
  record(id: string): Promise<RequestRecord>;
  close(): Promise<void>;
}

export function baseConfig(sims: Simulators, withKeys = true): Record<string, unknown> {
  const p = (origin: string, apiKey: string) => (withKeys ? { origin, apiKey } : { origin });
  return {
    port: 0,
    providers: {
      openai: p(sims.openai.url, KEYS.openai),
      anthropic: p(sims.anthropic.url, KEYS.anthropic),
      google: p(sims.gemini.url, KEYS.google),
      elevenlabs: p(sims.elevenlabs.url, KEYS.elevenlabs),
    },
    lava: { baseUrl: `${sims.lava.url}/v1/` },
  };
}

export async function startHarness(
  extra: Record<string, unknown> = {},
  opts: {
    withKeys?: boolean;
    sims?: Simulators;
    syncTiming?: Partial<SyncTiming>;
    /** An existing data dir (a restart); it is kept at close. */
    dataDir?: string;
    start?: Partial<Parameters<typeof startGateway>[0]>;
  } = {},
): Promise<Harness> {
  const sims = opts.sims ?? (await startSimulators());
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'lava-desktop-test-')));
  // As dashboard-saved settings: editable through PATCH /api/settings.
  const saved = deepMerge(baseConfig(sims, opts.withKeys ?? true), extra);
  const log = process.env.DEBUG_GATEWAY ? (m: string) => console.error(m) : () => undefined;
  // Tests drive sync explicitly (syncNow); retries are fast so offline periods pass quickly.
  const syncTiming = {
    startMs: 3_600_000,
    idleMs: 3_600_000,
    nudgeMs: 3_600_000,
    minBackoffMs: 20,
    maxBackoffMs: 100,
    ...opts.syncTiming,
  };
  // Attribution reads session files under the data dir (none), never the machine's own home.
  const attribution = { home: dataDir };
  const gw = await startGateway({ layers: { saved }, dataDir, port: 0, log, syncTiming, attribution, ...opts.start });
  const ctx = contextOf(gw);
  const records = async (n: number) => {
    for (let i = 0; i < 200; i++) {
      const page = await ctx.store.list({ limit: 1000 });
      if (page.data.length >= n) return page.data;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${n} records`);
  };
  const record = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await ctx.store.get(id);
      if (r) return r;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(`timed out waiting for record ${id}`);
  };
  return {
    sims,
    gw,
    ctx,
    dataDir,
    records,
    record,
    close: async () => {
      await gw.stop(1000);
      if (!opts.sims) await sims.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
