/**
 * Sync with the Lava simulator: Lava's cost replaces the local estimate (kept beside it), remote
 * records appear, local /v1/usage totals equal Lava's, pushes happen once through offline
 * periods, a 401 stops sync.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Lava } from '@lavapayments/nodejs';
import { startHarness, type Harness } from './harness.js';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { LAVA_PRICE_PER_TOKEN } from '../simulators/lava.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const SECRET = 'aks_test_sync_merchant_01';
let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators();
  sims.lava.validKeys.add(SECRET);
});
afterAll(() => sims.close());

const usageJson = async (dataDir: string) => {
  const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'usage', '--json', '--data-dir', dataDir]);
  return JSON.parse(stdout) as { provider: string; model: string; requests: number; cost: string | null }[];
};

describe('pull', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ lava: { secretKey: SECRET } }, { withKeys: false, sims });
  });
  afterAll(() => h.close());

  it('shows the local estimate first, then Lava cost after sync; totals equal Lava', async () => {
    const oa = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
    const a = await oa.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sync me' }] })
      .withResponse();
    const an = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    const b = await an.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    for await (const e of b.data) void e;
    const ids = [a.response, b.response].map((r) => r.headers.get('x-lava-desktop-request-id')!);
    const before = (await Promise.all(ids.map((id) => h.record(id)))).map((r) => ({ ...r }));
    expect(before.map((r) => r.costSource)).toEqual(['prices', 'prices']);
    await h.ctx.store.flush();
    const estimate = before.reduce((s, r) => s + Number(r.cost), 0);
    const u1 = await usageJson(h.dataDir);
    expect(u1.reduce((s, l) => s + Number(l.cost), 0)).toBeCloseTo(estimate, 10);

    await h.ctx.sync!.syncNow();
    const after = await Promise.all(ids.map((id) => h.record(id)));
    for (const [i, r] of after.entries()) {
      const lavaRec = sims.lava.records.find((x) => x.request_id === r.lavaRequestId)!;
      expect(r).toMatchObject({ costSource: 'lava', cost: lavaRec.cost, localCost: before[i]!.cost, sync: 'synced' });
      expect(Number(r.cost)).toBeCloseTo((r.usage!.input_tokens + r.usage!.output_tokens) * LAVA_PRICE_PER_TOKEN, 9);
      expect(r.cost).not.toBe(before[i]!.cost); // Lava's price differs from the list price
    }
    await h.ctx.store.flush();
    const u2 = await usageJson(h.dataDir);
    expect(u2.reduce((s, l) => s + Number(l.cost), 0)).toBeCloseTo(
      after.reduce((s, r) => s + Number(r.cost), 0),
      10,
    );

    const spend = (await (
      await fetch(`${h.gw.url}/api/spend`, { headers: { authorization: `Bearer ${h.gw.adminToken}` } })
    ).json()) as {
      drift: { provider: string; model: string; requests: number; lava: string; estimate: string }[];
    };
    const oaDrift = spend.drift.find((d) => d.provider === 'openai')!;
    expect(oaDrift).toMatchObject({
      model: 'gpt-4o-mini',
      requests: 1,
      lava: after[0]!.cost,
      estimate: before[0]!.cost,
    });

    const start = new Date(Date.now() - 3_600_000).toISOString();
    const local = await new Lava(h.gw.adminToken, { baseUrl: `${h.gw.url}/v1/` }).usage.retrieve({ start });
    const remote = await new Lava(SECRET, { baseUrl: `${sims.lava.url}/v1/` }).usage.retrieve({ start });
    expect(local.totals.total_requests).toBe(remote.totals.total_requests);
    expect(Number(local.totals.total_cost)).toBeCloseTo(Number(remote.totals.total_cost), 9);
  });

  it('stores Lava records made elsewhere as remote, once', async () => {
    // Another machine calls Lava directly.
    const other = await fetch(
      `${sims.lava.url}/v1/forward?u=${encodeURIComponent('https://api.openai.com/v1/chat/completions')}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from elsewhere' }] }),
      },
    );
    const lavaId = other.headers.get('x-lava-request-id')!;
    await other.json();
    await h.ctx.sync!.syncNow();
    await h.ctx.sync!.syncNow();
    const all = (await h.ctx.store.list({ limit: 100 })).data;
    const remote = all.filter((r) => r.lavaRequestId === lavaId);
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({ origin: 'remote', costSource: 'lava', model: 'gpt-4o-mini', provider: 'openai' });
    const listed = await new Lava(h.gw.adminToken, { baseUrl: `${h.gw.url}/v1/` }).requests.list({ limit: 1 });
    expect(listed.data[0]!.request_id).toBe(lavaId);
    const getStatus = async () =>
      (await (
        await fetch(`${h.gw.url}/api/sync`, { headers: { authorization: `Bearer ${h.gw.adminToken}` } })
      ).json()) as Record<string, unknown>;
    // A sync asked for while another ran is followed by one more: wait for the last to end.
    await expect.poll(async () => (await getStatus()).state).toBe('ok');
    const status = await getStatus();
    expect(status).toMatchObject({ state: 'ok', pending: 0, pushes: false });
    expect((status.wallet as { today: { total_requests: number } }).today.total_requests).toBeGreaterThanOrEqual(3);
  });
});

describe('push', () => {
  it('reports direct-mode records once, through an offline period', async () => {
    const h = await startHarness(
      {
        lava: { secretKey: SECRET, customerId: 'cus_7', meterSlug: 'desk' },
        providers: { openai: { mode: 'direct' } },
      },
      { sims },
    );
    try {
      const oa = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await oa.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `p${i}` }] })
          .withResponse();
        ids.push(r.response.headers.get('x-lava-desktop-request-id')!);
      }
      expect((await h.record(ids[0]!)).sync).toBe('pending');
      sims.lava.failNext('offline', 2);
      const dupBefore = sims.lava.duplicates;
      await h.ctx.sync!.syncNow();
      expect(h.ctx.sync!.status()).toMatchObject({ state: 'ok', pending: 0 });
      expect(sims.lava.duplicates).toBe(dupBefore);
      for (const id of ids) {
        const pushed = sims.lava.records.filter((r) => r.request_id === id);
        expect(pushed).toHaveLength(1);
        expect(pushed[0]).toMatchObject({
          customer_id: 'cus_7',
          meter_id: 'prd_desk',
          metadata: { provider: 'openai', model: 'gpt-4o-mini' },
        });
        expect((await h.record(id)).sync).toBe('synced');
      }
      // Rate limited, then a server error: retried with backoff, still pushed once.
      for (const status of [429, 500]) {
        const r = await oa.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `s${status}` }] })
          .withResponse();
        const id = r.response.headers.get('x-lava-desktop-request-id')!;
        await h.record(id);
        sims.lava.failNext(status, 2);
        await h.ctx.sync!.syncNow();
        expect(sims.lava.records.filter((x) => x.request_id === id)).toHaveLength(1);
      }
      expect(sims.lava.duplicates).toBe(dupBefore);
    } finally {
      await h.close();
    }
  });

  it('a corrupt sync.json loses no pending report: the outbox is rebuilt from the records, nothing sent twice', async () => {
    const { mkdtemp, rm, writeFile, readdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'lava-sync-corrupt-'));
    const extra = {
      lava: { secretKey: SECRET, customerId: 'cus_8', meterSlug: 'desk' },
      providers: { openai: { mode: 'direct' } },
    };
    const ask = async (oa: OpenAI, text: string) =>
      (
        await oa.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] })
          .withResponse()
      ).response.headers.get('x-lava-desktop-request-id')!;
    try {
      const h1 = await startHarness(extra, { sims, dataDir });
      const oa = new OpenAI({ apiKey: 'x', baseURL: `${h1.gw.url}/openai/v1`, maxRetries: 0 });
      const synced = await ask(oa, 'early');
      await h1.ctx.sync!.syncNow();
      expect((await h1.record(synced)).sync).toBe('synced');
      // One report reaches Lava but its answer never comes back (then the file breaks)…
      const inFlight = await ask(oa, 'in flight');
      await h1.record(inFlight);
      sims.lava.holdCreates = true;
      void h1.ctx.sync!.syncNow().catch(() => undefined);
      await expect.poll(() => sims.lava.records.some((r) => r.request_id === inFlight)).toBe(true);
      // …and three more are still queued.
      sims.lava.holdCreates = false;
      const queued = [await ask(oa, 'q1'), await ask(oa, 'q2'), await ask(oa, 'q3')];
      for (const id of queued) expect((await h1.record(id)).sync).toBe('pending');
      await h1.close();
      await writeFile(join(dataDir, 'sync.json'), '{"v":1,"outbox":{"01J');
      const dupBefore = sims.lava.duplicates;
      const h2 = await startHarness(extra, { sims, dataDir });
      try {
        expect((await readdir(dataDir)).some((f) => f.startsWith('sync.json.corrupt-'))).toBe(true);
        // Rebuilt from the records before the first sync: the one in flight and the three queued.
        await expect.poll(() => h2.ctx.sync!.status().pending).toBe(4);
        await h2.ctx.sync!.syncNow();
        for (const id of [synced, inFlight, ...queued]) {
          expect(sims.lava.records.filter((r) => r.request_id === id)).toHaveLength(1);
          expect((await h2.record(id)).sync).toBe('synced');
        }
        expect(sims.lava.duplicates).toBe(dupBefore);
        expect(h2.ctx.sync!.status().pending).toBe(0);
      } finally {
        await h2.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a 401 stops sync and says the key is invalid', async () => {
    const h = await startHarness({ lava: { secretKey: 'aks_test_not_a_valid_key' } }, { withKeys: true, sims });
    try {
      await h.ctx.sync!.syncNow();
      expect(h.ctx.sync!.status()).toMatchObject({ state: 'invalid_key' });
      expect(h.ctx.sync!.status().lastError).toContain('secret key');
    } finally {
      await h.close();
    }
  });
});
