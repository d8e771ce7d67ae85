/**
 * A real `lava-desktop serve` (the built app) for the end-to-end tests: in a data dir and under a
 * temporary HOME of the caller's, so attribution and Connect read and write there, never the
 * machine's own; no provider key or agent directory leaks in from the environment. Also the
 * shape of a stored record, for specs that seed a store before the gateway starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { RequestRecord } from '../../src/store/types.js';

export interface OwnGateway {
  child: ChildProcess;
  url: string;
  /** The admin token from the data dir's gateway.json (log in with `/#token=…`). */
  token: string;
  /** SIGTERM, and waits for the process to exit. */
  stop(): Promise<void>;
}

const LEAKS = ['CLAUDE_CONFIG_DIR', 'CODEX_HOME', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY'];

/** This process's environment with HOME (and XDG_CONFIG_HOME below it) moved to `home`. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
  for (const k of LEAKS) delete env[k];
  return env;
}

export async function startOwnGateway(o: { dataDir: string; home: string; config?: string }): Promise<OwnGateway> {
  const bin = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
  const args = [bin, 'serve', '--port', '0', '--data-dir', o.dataDir, ...(o.config ? ['--config', o.config] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: isolatedEnv(o.home) });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
  const info = JSON.parse(await readFile(join(o.dataDir, 'gateway.json'), 'utf8')) as { adminToken: string };
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  };
  return { child, url, token: info.adminToken, stop };
}

/** A completed, priced request `msAgo` ago; `fields` say what differs (tool, project, cost, …). */
export function seedRecord(msAgo: number, fields: Partial<RequestRecord>): RequestRecord {
  const at = Date.now() - msAgo;
  return {
    id: ulid(at),
    startedAt: new Date(at).toISOString(),
    durationMs: 300,
    provider: 'openai',
    mode: 'direct',
    method: 'POST',
    path: '/openai/v1/chat/completions',
    model: 'gpt-4o-mini',
    stream: false,
    status: 200,
    usage: {
      input_tokens: 1000,
      output_tokens: 100,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 1100,
    },
    usageSource: 'response',
    cost: '0.0010000000',
    costSource: 'prices',
    pricesVersion: 'seed',
    client: 'seed',
    billing: 'api',
    sync: 'local',
    ...fields,
  };
}

/** Writes these records into the store of `dataDir` (before a gateway opens it). */
export async function seedStore(dataDir: string, records: RequestRecord[]): Promise<void> {
  const store = await LowdbStore.open({ dataDir, retentionDays: 3650, log: () => undefined });
  for (const r of records) store.append(r);
  await store.close();
}
