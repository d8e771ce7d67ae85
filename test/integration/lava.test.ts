/**
 * Lava compatibility: the Lava SDK's provider URLs (raw and encoded `u`, path-before-query,
 * doubled /v1) through `/v1/forward`, a client's own Lava token forwarded to Lava as is, and the
 * local `requests.list()` / `requests.retrieve()` / `usage.retrieve()` in Lava's shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lava } from '@lavapayments/nodejs';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { claudePlanClient, KEYS, startHarness, type Harness } from './harness.js';
import { LAVA_MANAGED_KEY } from '../simulators/lava.js';

let h: Harness;
let lava: Lava;
beforeAll(async () => {
  h = await startHarness();
  lava = new Lava(h.gw.adminToken, { baseUrl: `${h.gw.url}/v1/` });
});
afterAll(() => h.close());

describe('forward URLs as real clients send them', () => {
  it('OpenAI SDK on lava.providers.openai (unencoded u, path appended inside u)', async () => {
    const client = new OpenAI({ apiKey: 'placeholder', baseURL: lava.providers.openai, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'via forward' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the');
    const got = h.sims.openai.received.at(-1)!;
    expect(got.url).toBe('/v1/chat/completions');
    expect(got.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({ provider: 'openai', path: '/v1/forward', mode: 'direct' });
  });

  it('path before the query (/v1/forward/chat/completions?u=…/v1) and encoded u', async () => {
    for (const url of [
      `${h.gw.url}/v1/forward/chat/completions?u=https://api.openai.com/v1`,
      `${h.gw.url}/v1/forward?u=${encodeURIComponent('https://api.openai.com/v1/chat/completions')}`,
    ]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer placeholder' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(res.status).toBe(200);
      expect(h.sims.openai.received.at(-1)!.url).toBe('/v1/chat/completions');
    }
  });

  it('Anthropic SDK on lava.providers.anthropic (the doubled /v1 is collapsed)', async () => {
    const client = new Anthropic({ apiKey: 'placeholder', baseURL: lava.providers.anthropic, maxRetries: 0 });
    const msg = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(msg.type).toBe('message');
    expect(h.sims.anthropic.received.at(-1)!.url).toBe('/v1/messages');
  });

  it('Gemini through forward keeps its own query (alt=sse)', async () => {
    const res = await fetch(`${lava.providers.google}/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'placeholder' },
      body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await res.text();
    expect(h.sims.gemini.received.at(-1)!.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });
});

describe("a client's own Lava credentials", () => {
  let bare: Harness;
  beforeAll(async () => {
    bare = await startHarness({}, { withKeys: false, sims: h.sims });
  });
  afterAll(() => bare.close());

  it('a forward token for a provider with no configured key goes to Lava as is', async () => {
    const client = new Lava('aks_test_clientkey123', { baseUrl: `${bare.gw.url}/v1/` });
    const token = client.generateForwardToken({ customer_id: 'cus_1', meter_slug: 'm1' });
    const openai = new OpenAI({ apiKey: token, baseURL: client.providers.openai, maxRetries: 0 });
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('x-lava-request-id')).toMatch(/^req_sim/);
    expect(h.sims.lava.tokens.at(-1)).toEqual({
      secret_key: 'aks_test_clientkey123',
      customer_id: 'cus_1',
      meter_slug: 'm1',
    });
    expect(h.sims.openai.received.at(-1)!.headers.authorization).toBe(`Bearer ${LAVA_MANAGED_KEY}`);
    const rec = await bare.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({
      mode: 'lava',
      provider: 'openai',
      lavaRequestId: response.headers.get('x-lava-request-id'),
    });
    expect(rec.usage!.total_tokens).toBeGreaterThan(0);
  });

  it("without any configured key, the client's provider key passes through to the provider", async () => {
    const openai = new OpenAI({
      apiKey: 'sk-client-own-key-abcdef',
      baseURL: `${bare.gw.url}/openai/v1`,
      maxRetries: 0,
    });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(h.sims.openai.received.at(-1)!.headers.authorization).toBe('Bearer sk-client-own-key-abcdef');
  });
});

describe('local Lava-shaped reads with the Lava SDK', () => {
  it('requests.list pages newest first with cursors; retrieve returns one RestRequest', async () => {
    const openai = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { response } = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }] })
        .withResponse();
      ids.push(response.headers.get('x-lava-desktop-request-id')!);
    }
    await h.record(ids.at(-1)!);
    const first = await lava.requests.list({ limit: 3 });
    expect(first.data.map((r) => r.request_id)).toEqual(ids.slice(-3).reverse());
    expect(first.has_more).toBe(true);
    const second = await lava.requests.list({ limit: 2, cursor: first.next_cursor });
    expect(second.data.map((r) => r.request_id)).toEqual(ids.slice(0, 2).reverse());
    const one = await lava.requests.retrieve(ids[0]!);
    expect(one).toMatchObject({
      request_id: ids[0],
      status: 'completed',
      provider: 'openai',
      model: 'gpt-4o-mini',
      provider_key_type: 'unmanaged',
    });
    expect(one.model_usage.total_tokens).toBeGreaterThan(0);
    expect(one.cost).toMatch(/^\d+\.\d{10}$/);
    expect(one.endpoint).toBe('POST https://api.openai.com/v1/chat/completions');
  });

  it('usage.retrieve totals equal the sum of the records', async () => {
    await h.ctx.store.flush();
    const all = await h.ctx.store.list({ limit: 1000 });
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const usage = await lava.usage.retrieve({ start });
    expect(usage.totals.total_requests).toBe(all.data.length);
    const cost = all.data.reduce((s, r) => s + Number(r.cost ?? 0), 0);
    expect(Number(usage.totals.total_cost)).toBeCloseTo(cost, 9);
    expect(usage.totals.total_usage_tokens).toBe(all.data.reduce((s, r) => s + (r.usage?.total_tokens ?? 0), 0));
    expect(usage.items.length).toBeGreaterThanOrEqual(2);
    expect(usage.items.at(-1)!.date).toBe(new Date().toISOString().slice(0, 10));
  });

  it('a request billed to a Claude plan counts as a request and its tokens in usage.retrieve, not as cost', async () => {
    const start = new Date(Date.now() - 86_400_000).toISOString();
    await h.ctx.store.flush();
    const before = (await lava.usage.retrieve({ start })).totals;
    const plan = claudePlanClient(`${h.gw.url}/@claude-code/anthropic`);
    const { response } = await plan.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({ billing: 'subscription', costSource: 'prices' });
    expect(Number(rec.cost)).toBeGreaterThan(0);
    await h.ctx.store.flush();
    const after = (await lava.usage.retrieve({ start })).totals;
    expect(after.total_requests).toBe(before.total_requests + 1);
    expect(after.total_usage_tokens).toBe(before.total_usage_tokens + rec.usage!.total_tokens);
    expect(after.total_cost).toBe(before.total_cost);
  });

  it('refuses a wrong bearer and a bad query with clear errors', async () => {
    const wrong = new Lava('aks_test_wrong', { baseUrl: `${h.gw.url}/v1/` });
    await expect(wrong.requests.list()).rejects.toThrow(/401/);
    const res = await fetch(`${h.gw.url}/v1/usage?start=yesterday`, {
      headers: { authorization: `Bearer ${h.gw.adminToken}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('start');
  });
});
