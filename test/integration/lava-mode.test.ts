/**
 * `lava` mode: requests go to Lava's forward endpoint with a forward token built from the
 * configured secret key in every billing mode; JSON and streams for the OpenAI, Anthropic and
 * Gemini styles; Lava's 401/402 explained to the client in its own API shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, type Harness } from './harness.js';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { LAVA_MANAGED_KEY } from '../simulators/lava.js';

const SECRET = 'aks_test_merchant_0001';
let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators();
  sims.lava.validKeys.add(SECRET);
});
afterAll(() => sims.close());

async function withGateway(
  lava: Record<string, unknown>,
  providers: Record<string, unknown>,
  fn: (h: Harness) => Promise<void>,
) {
  const h = await startHarness({ lava: { secretKey: SECRET, ...lava }, providers }, { withKeys: false, sims });
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const chat = async (h: Harness) => {
  const c = new OpenAI({ apiKey: 'placeholder', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
  return c.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
};

describe('forward tokens in every billing mode reach Lava with the right fields', () => {
  it.each([
    ['merchant', {}, {}, { secret_key: SECRET }],
    ['meter-only', { meterSlug: 'tokens' }, {}, { secret_key: SECRET, meter_slug: 'tokens' }],
    [
      'customer-billed',
      { customerId: 'cus_42', meterSlug: 'tokens' },
      {},
      { secret_key: SECRET, customer_id: 'cus_42', meter_slug: 'tokens' },
    ],
    [
      'BYOK',
      {},
      { openai: { byok: true, apiKey: 'sk-my-own-openai-key-1' } },
      { secret_key: SECRET, provider_key: 'sk-my-own-openai-key-1' },
    ],
  ])('%s', async (_name, lava, providers, expected) => {
    await withGateway(lava, providers, async (h) => {
      const { data, response } = await chat(h);
      expect(data.choices[0]!.message.content).toBe('Hello from the');
      expect(sims.lava.tokens.at(-1)).toEqual(expected);
      const upstreamKey = sims.openai.received.at(-1)!.headers.authorization;
      expect(upstreamKey).toBe(`Bearer ${'provider_key' in expected ? expected.provider_key : LAVA_MANAGED_KEY}`);
      const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
      expect(rec).toMatchObject({
        mode: 'lava',
        provider: 'openai',
        lavaRequestId: response.headers.get('x-lava-request-id'),
      });
    });
  });
});

describe('lava mode for each API style', () => {
  it('OpenAI stream, Anthropic JSON and stream, Gemini stream: usage recorded, ids kept', async () => {
    await withGateway({}, {}, async (h) => {
      const oa = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
      const s = await oa.chat.completions
        .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      for await (const c of s.data) expect(c.choices.length).toBeGreaterThan(0);
      const r1 = await h.record(s.response.headers.get('x-lava-desktop-request-id')!);
      expect(r1.usage!.total_tokens).toBeGreaterThan(0);
      expect(r1.lavaRequestId).toMatch(/^req_sim/);

      const an = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
      const j = await an.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      expect(sims.anthropic.received.at(-1)!.headers['x-api-key']).toBe(LAVA_MANAGED_KEY);
      const r2 = await h.record(j.response.headers.get('x-lava-desktop-request-id')!);
      expect(r2).toMatchObject({ mode: 'lava', responseId: j.data.id });
      const st = await an.messages
        .create({
          model: 'claude-sonnet-4-5',
          max_tokens: 20,
          stream: true,
          messages: [{ role: 'user', content: 'x' }],
        })
        .withResponse();
      for await (const e of st.data) void e;
      expect((await h.record(st.response.headers.get('x-lava-desktop-request-id')!)).usage!.output_tokens).toBe(
        sims.anthropic.lastUsage!.output_tokens,
      );

      const g = await fetch(`${h.gw.url}/google/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }),
      });
      await g.text();
      expect(sims.gemini.received.at(-1)!.headers['x-goog-api-key']).toBe(LAVA_MANAGED_KEY);
      const r3 = await h.record(g.headers.get('x-lava-desktop-request-id')!);
      expect(r3.usage!.total_tokens).toBe(sims.gemini.lastUsage!.totalTokenCount);
    });
  });
});

describe("Lava's own refusals", () => {
  it('402 says to add funds, in the OpenAI shape; 401 says to check the key, in the Anthropic shape', async () => {
    await withGateway({}, {}, async (h) => {
      sims.lava.broke = true;
      try {
        const err = (await chat(h).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(err.status).toBe(402);
        expect(err.message).toContain('Add funds at https://www.lava.so/dashboard/wallet');
        expect((err.error as { code?: string }).code).toBe('lava_insufficient_balance');
        const rec = await h.record(err.headers!.get('x-lava-desktop-request-id')!);
        expect(rec).toMatchObject({ status: 402, error: 'lava: insufficient wallet balance' });
        expect(h.ctx.sync!.status().lastError).toBe('lava: insufficient wallet balance');
      } finally {
        sims.lava.broke = false;
      }
    });
    await withGateway({ secretKey: 'aks_test_revoked_0000' }, {}, async (h) => {
      const an = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
      const err = (await an.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect(err.status).toBe(401);
      expect(err.message).toContain('lava-desktop login');
    });
  });

  it("a provider's own 401 relayed by Lava is passed through untouched", async () => {
    await withGateway({}, {}, async (h) => {
      const res = await fetch(`${h.gw.url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"error-401"}',
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { message: 'simulated 401', type: 'server_error', param: null, code: 'simulated' },
      });
    });
  });
});
