/** OpenAI-style traffic through the gateway with the official `openai` SDK: JSON, streams, key injection, usage and cost. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { calcPrice } from '@pydantic/genai-prices';
import { KEYS, startHarness, type Harness } from './harness.js';

let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness();
  client = new OpenAI({ apiKey: 'placeholder', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
});
afterAll(() => h.close());

describe('openai chat completions', () => {
  it('forwards JSON with the configured key and records usage and cost', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hi [cached]' }] })
      .withResponse();
    const last = h.sims.openai.received.at(-1)!;
    expect(last.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
    expect(last.url).toBe('/v1/chat/completions');
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    const simUsage = h.sims.openai.lastUsage as {
      prompt_tokens: number;
      completion_tokens: number;
      prompt_tokens_details: { cached_tokens: number };
    };
    expect(data.usage?.prompt_tokens).toBe(simUsage.prompt_tokens);
    expect(rec).toMatchObject({
      provider: 'openai',
      mode: 'direct',
      model: 'gpt-4o-mini',
      status: 200,
      stream: false,
      usageSource: 'response',
      costSource: 'prices',
      responseId: data.id,
      client: 'openai-node',
    });
    expect(rec.usage).toMatchObject({
      input_tokens: simUsage.prompt_tokens,
      output_tokens: simUsage.completion_tokens,
      cache_read_tokens: simUsage.prompt_tokens_details.cached_tokens,
    });
    expect(rec.usage!.cache_read_tokens).toBeGreaterThan(0);
    const expected = calcPrice(
      {
        input_tokens: simUsage.prompt_tokens,
        output_tokens: simUsage.completion_tokens,
        cache_read_tokens: simUsage.prompt_tokens_details.cached_tokens,
      },
      'gpt-4o-mini',
      { providerId: 'openai' },
    )!.total_price;
    expect(Number(rec.cost)).toBeCloseTo(expected, 12);
  });

  it('streams without include_usage: client sees no usage chunk, the record still has usage', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream please [chunks=5]' }], stream: true })
      .withResponse();
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the simulator.');
    const sent = JSON.parse(h.sims.openai.received.at(-1)!.body) as { stream_options?: { include_usage?: boolean } };
    expect(sent.stream_options?.include_usage).toBe(true);
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec.stream).toBe(true);
    expect(rec.usageSource).toBe('response');
    expect(rec.usage!.output_tokens).toBe((h.sims.openai.lastUsage as { completion_tokens: number }).completion_tokens);
    expect(rec.responseId).toBe(chunks[0]!.id);
  });

  it('streams with include_usage asked by the client: the usage chunk reaches the client', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'with usage' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.total_tokens).toBe((h.sims.openai.lastUsage as { total_tokens: number }).total_tokens);
  });

  it('passes upstream errors through unchanged and records them', async () => {
    const err = await client.chat.completions
      .create({ model: 'error-429', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiErr.message).toContain('simulated 429');
    const rec = await h.record(apiErr.headers!.get('x-lava-desktop-request-id')!);
    expect(rec.status).toBe(429);
  });
});

describe('openai responses and embeddings', () => {
  it('records Responses API usage from JSON and from the stream', async () => {
    const { data: r, response } = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'hello' })
      .withResponse();
    expect(r.output_text).toBe('Hello from the');
    const recJson = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(recJson.usage).toMatchObject({
      input_tokens: r.usage!.input_tokens,
      output_tokens: r.usage!.output_tokens,
      reasoning_tokens: 1,
    });
    expect(recJson.responseId).toBe(r.id);

    const s = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'hello stream', stream: true })
      .withResponse();
    const types: string[] = [];
    for await (const e of s.data) types.push(e.type);
    expect(types.at(-1)).toBe('response.completed');
    const recStream = await h.record(s.response.headers.get('x-lava-desktop-request-id')!);
    expect(recStream.stream).toBe(true);
    expect(recStream.usage!.total_tokens).toBe((h.sims.openai.lastUsage as { total_tokens: number }).total_tokens);
  });

  it('records embeddings usage (input only)', async () => {
    const { data: e, response } = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: 'embed me' })
      .withResponse();
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec.usage).toMatchObject({ input_tokens: e.usage.prompt_tokens, output_tokens: 0 });
    expect(rec.costSource).toBe('prices');
  });

  it('marks a model without known prices as unpriced, never $0', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'my-private-finetune-xyz', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec.costSource).toBe('unknown');
    expect(rec.cost).toBeUndefined();
    expect(rec.usage!.total_tokens).toBeGreaterThan(0);
  });
});

describe('GET /v1/models', () => {
  it('lists models of the configured providers, OpenAI-shaped, usable by the SDK', async () => {
    const lavaRoot = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of lavaRoot.models.list()) ids.push(m.id);
    expect(ids).toContain('openai/gpt-4o-mini');
    expect(ids.some((i) => i.startsWith('anthropic/claude'))).toBe(true);
    expect(ids.some((i) => i.startsWith('groq/'))).toBe(false); // no key, no origin: not routable
  });
});

describe('estimated usage', () => {
  it('with stream usage injection off, a stream without usage is estimated with a tokenizer', async () => {
    const g = await startHarness({ meter: { injectStreamUsage: false } }, { sims: h.sims });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${g.gw.url}/openai/v1`, maxRetries: 0 });
      const { data: stream, response } = await c.chat.completions
        .create({
          model: 'gpt-4o-mini',
          stream: true,
          messages: [{ role: 'user', content: 'Estimate me please [chunks=5]' }],
        })
        .withResponse();
      for await (const chunk of stream) expect(chunk.choices.length).toBeGreaterThan(0);
      const sent = JSON.parse(h.sims.openai.received.at(-1)!.body) as { stream_options?: unknown };
      expect(sent.stream_options).toBeUndefined();
      const rec = await g.record(response.headers.get('x-lava-desktop-request-id')!);
      expect(rec.usageSource).toBe('estimated');
      // o200k: "Estimate me please [chunks=5]" and "Hello from the simulator." — counts come from the tokenizer.
      const { countTokens } = await import('gpt-tokenizer');
      expect(rec.usage).toMatchObject({
        input_tokens: countTokens('Estimate me please [chunks=5]'),
        output_tokens: countTokens('Hello from the simulator.'),
      });
      expect(rec.costSource).toBe('prices');
    } finally {
      await g.close();
    }
  });
});

describe('capture.bodies', () => {
  it('keeps request and response bodies on the record only when switched on', async () => {
    const g = await startHarness({ capture: { bodies: true } }, { sims: h.sims });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${g.gw.url}/openai/v1`, maxRetries: 0 });
      const { response } = await c.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'keep me' }] })
        .withResponse();
      const rec = await g.record(response.headers.get('x-lava-desktop-request-id')!);
      expect(rec.bodies?.request).toContain('keep me');
      expect(rec.bodies?.response).toContain('chat.completion');
      expect(rec.bodies?.request).not.toContain('sk-');
    } finally {
      await g.close();
    }
    const plain = (await h.records(1))[0]!;
    expect(plain.bodies).toBeUndefined();
  });
});

describe('custom providers', () => {
  it('routes /<key>/… to the configured origin with its own auth header', async () => {
    const g = await startHarness(
      {
        providers: {
          myvllm: {
            origin: `${h.sims.openai.url}/vllm`,
            style: 'openai',
            apiKey: 'vllm-secret-key-123',
            authHeader: 'api-key',
          },
        },
      },
      { sims: h.sims },
    );
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${g.gw.url}/myvllm/v1`, maxRetries: 0 });
      const { response } = await c.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
        .withResponse();
      const got = h.sims.openai.received.at(-1)!;
      expect(got.url).toBe('/vllm/v1/chat/completions');
      expect(got.headers['api-key']).toBe('vllm-secret-key-123');
      expect(got.headers.authorization).toBeUndefined();
      const rec = await g.record(response.headers.get('x-lava-desktop-request-id')!);
      expect(rec).toMatchObject({ provider: 'myvllm', usageSource: 'response', costSource: 'unknown' });
    } finally {
      await g.close();
    }
  });
});
