/**
 * Who and where (PRODUCT.md §13) through the real SDKs: tagged routes, the tool from the tag or
 * the User-Agent, who pays (a Claude plan's OAuth token is never swapped for the configured key),
 * breakdowns that sum to the total when attribution lands later, the filters and Lava's metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { claudePlanClient, KEYS, PLAN_TOKEN, startHarness, type Harness } from './harness.js';

const run = promisify(execFile);
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const idOf = (r: { headers: Headers }) => r.headers.get('x-lava-desktop-request-id')!;
const api = async (path: string) => {
  const res = await fetch(`${h.gw.url}${path}`, { headers: { authorization: `Bearer ${h.gw.adminToken}` } });
  expect(res.status).toBe(200);
  return res.json() as Promise<Record<string, unknown>>;
};
const ask = { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
const plan = (baseURL: string) => claudePlanClient(baseURL, { 'user-agent': 'claude-cli/2.1.3 (external, cli)' });

describe('tagged routes and tools', () => {
  it('/@<tag>/ is the same route, with the tag and its tool on the record', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/@claude-code/anthropic`, maxRetries: 0 });
    const { response } = await client.messages.create(ask).withResponse();
    expect(h.sims.anthropic.received.at(-1)!.url.split('?')[0]).toBe('/v1/messages');
    const rec = await h.record(idOf(response));
    expect(rec).toMatchObject({ tag: 'claude-code', tool: 'claude-code', path: '/anthropic/v1/messages' });
  });

  it('a tag that names no tool keeps the tool of the User-Agent; no tag, the User-Agent alone', async () => {
    const tagged = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/@nightly-job/openai/v1`, maxRetries: 0 });
    const a = await tagged.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(await h.record(idOf(a.response))).toMatchObject({ tag: 'nightly-job', tool: 'openai-node' });
    const res = await fetch(`${h.gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'codex_exec/0.169.0 (Debian 13; x86_64)' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(await h.record(idOf(res))).toMatchObject({ tag: null, tool: 'codex', client: 'codex' });
  });

  it('a malformed tag is refused in one line', async () => {
    const res = await fetch(`${h.gw.url}/@Not_OK!/openai/v1/models`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_tag');
  });

  it('a tag in front of an admin route does not get around its guard', async () => {
    const res = await fetch(`${h.gw.url}/@x/api/settings`);
    expect(res.status).toBe(401);
  });
});

describe('who pays', () => {
  it("a Claude plan's OAuth token passes through although a key is configured; its value is not spend", async () => {
    const before = (await api('/api/spend?days=1')) as { today: { cost: string; subscriptionValue: string } };
    const budgetBefore = h.ctx.budget!.today;
    const { response } = await plan(`${h.gw.url}/anthropic`).messages.create(ask).withResponse();
    const got = h.sims.anthropic.received.at(-1)!;
    expect(got.headers.authorization).toBe(`Bearer ${PLAN_TOKEN}`);
    expect(got.headers['x-api-key']).toBeUndefined();
    const rec = await h.record(idOf(response));
    expect(rec).toMatchObject({ billing: 'subscription', tool: 'claude-code', costSource: 'prices' });
    expect(Number(rec.cost)).toBeGreaterThan(0);
    await h.ctx.store.flush();
    const after = (await api('/api/spend?days=1')) as { today: { cost: string; subscriptionValue: string } };
    expect(after.today.cost).toBe(before.today.cost);
    expect(Number(after.today.subscriptionValue) - Number(before.today.subscriptionValue)).toBeCloseTo(
      Number(rec.cost),
      9,
    );
    expect(h.ctx.budget!.today).toBe(budgetBefore);
  });

  it('a request with the configured key is billed api; a plan token is replaced only with replaceSubscription', async () => {
    const keyed = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    const a = await keyed.messages.create(ask).withResponse();
    expect(await h.record(idOf(a.response))).toMatchObject({ billing: 'api' });
    const h2 = await startHarness({ providers: { anthropic: { replaceSubscription: true } } });
    try {
      const { response } = await plan(`${h2.gw.url}/anthropic`).messages.create(ask).withResponse();
      expect(h2.sims.anthropic.received.at(-1)!.headers['x-api-key']).toBe(KEYS.anthropic);
      expect(await h2.record(idOf(response))).toMatchObject({ billing: 'api' });
    } finally {
      await h2.close();
    }
  });
});

describe('breakdowns', () => {
  it('attribution that lands later moves the spend; breakdowns sum to the total', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/@codex/openai/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'attribute me' }] })
      .withResponse();
    const rec = await h.record(idOf(response));
    await h.ctx.store.flush();
    await h.ctx.store.update(rec.id, { project: '/home/dev/shop', branch: 'main', session: 'sess-1' });
    type Spend = {
      today: { cost: string; requests: number };
      breakdown: { key: string | null; cost: string; requests: number }[];
    };
    for (const by of ['project', 'tool', 'billing', 'session', 'branch', 'model']) {
      const s = (await api(`/api/spend?days=1&by=${by}`)) as Spend;
      const sum = s.breakdown.reduce((t, g) => t + Number(g.cost), 0);
      expect(sum, by).toBeCloseTo(Number(s.today.cost), 9);
      expect(
        s.breakdown.reduce((t, g) => t + g.requests, 0),
        by,
      ).toBe(s.today.requests);
    }
    const byProject = (await api('/api/spend?days=1&by=project')) as Spend;
    const shop = byProject.breakdown.find((g) => g.key === '/home/dev/shop')!;
    expect(shop).toMatchObject({ requests: 1, cost: rec.cost });
    expect(byProject.breakdown.some((g) => g.key === null)).toBe(true);

    await h.ctx.store.flush();
    const { stdout } = await run(process.execPath, [
      'bin/lava-desktop.js',
      'usage',
      '--by',
      'project',
      '--json',
      '--data-dir',
      h.dataDir,
    ]);
    const rows = JSON.parse(stdout) as { project: string | null; requests: number }[];
    expect(rows.find((r) => r.project === '/home/dev/shop')).toMatchObject({ requests: 1 });
    const table = await run(process.execPath, [
      'bin/lava-desktop.js',
      'usage',
      '--by',
      'project',
      '--data-dir',
      h.dataDir,
    ]);
    expect(table.stdout).toContain('/home/dev/shop');
    expect(table.stdout).toContain('(unattributed)');
  });

  it('the history filters and Lava-shaped records carry who and where', async () => {
    const list = (await api('/api/requests?tool=claude-code&limit=50')) as { data: { tool: string }[] };
    expect(list.data.length).toBeGreaterThan(0);
    expect(list.data.every((r) => r.tool === 'claude-code')).toBe(true);
    const none = (await api('/api/requests?project=(none)&limit=500')) as { data: { project: unknown }[] };
    expect(none.data.every((r) => r.project === null || r.project === undefined)).toBe(true);
    const shop = (await api(`/api/requests?project=${encodeURIComponent('/home/dev/shop')}`)) as {
      data: { id: string }[];
    };
    expect(shop.data).toHaveLength(1);
    const lava = (await api(`/v1/requests/${shop.data[0]!.id}`)) as { metadata: Record<string, string> };
    expect(lava.metadata).toMatchObject({ tool: 'codex', tag: 'codex', project: '/home/dev/shop', branch: 'main' });
  });
});
