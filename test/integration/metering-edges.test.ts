/**
 * Money neither invented nor missed (issue 10): free calls are recorded at $0, multipart audio is
 * metered from the form and the answer's duration, bare model names with a Lava key go to the
 * model's maker, and compressed bodies the gateway must read are decoded first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { calcPrice } from '@pydantic/genai-prices';
import { startHarness, KEYS, type Harness } from './harness.js';
import { startSimulators, type Simulators } from '../simulators/index.js';

let sims: Simulators;
let h: Harness;
beforeAll(async () => {
  sims = await startSimulators();
  h = await startHarness({}, { sims });
});
afterAll(async () => {
  await h.close();
  await sims.close();
});

const recordOf = (res: Response | { headers: Headers }) => h.record(res.headers.get('x-lava-desktop-request-id')!);

describe('free calls', () => {
  it('Anthropic count_tokens (native) is recorded at $0, costSource free, no usage', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    const { data, response } = await client.messages
      .countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me please' }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    const rec = await recordOf(response);
    expect(rec).toMatchObject({ cost: '0', costSource: 'free', usageSource: 'none', status: 200 });
    expect(rec.usage).toBeUndefined();
  });

  it('OpenAI responses/input_tokens and Gemini countTokens are free', async () => {
    const openai = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
    const { response } = await openai.responses.inputTokens
      .count({ model: 'gpt-4o-mini', input: 'how many tokens is this' })
      .withResponse();
    expect(await recordOf(response)).toMatchObject({ cost: '0', costSource: 'free' });
    const res = await fetch(`${h.gw.url}/google/v1beta/models/gemini-2.5-flash:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'count' }] }] }),
    });
    expect(((await res.json()) as { totalTokens: number }).totalTokens).toBeGreaterThan(0);
    const rec = await recordOf(res);
    expect(rec).toMatchObject({ cost: '0', costSource: 'free' });
    expect(rec.usage).toBeUndefined();
  });

  it('listing models is free', async () => {
    const res = await fetch(`${h.gw.url}/openai/v1/models`);
    expect(res.status).toBe(200);
    expect(await recordOf(res)).toMatchObject({ method: 'GET', cost: '0', costSource: 'free' });
  });

  it('unified /v1/messages/count_tokens: Anthropic answers for Claude, the gateway counts for other models', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: h.gw.url, maxRetries: 0 });
    const claude = await client.messages
      .countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    expect(sims.anthropic.received.at(-1)!.url).toContain('/v1/messages/count_tokens');
    expect(await recordOf(claude.response)).toMatchObject({ provider: 'anthropic', costSource: 'free' });
    const before = sims.openai.received.length;
    const gpt = await client.messages
      .countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    const { countTokens } = await import('gpt-tokenizer');
    expect(gpt.data.input_tokens).toBe(countTokens('hello there'));
    expect(sims.openai.received.length).toBe(before); // answered locally: no upstream call
    expect(gpt.response.headers.get('x-lava-desktop-warning')).toMatch(/counted by Lava Desktop/);
    expect(await recordOf(gpt.response)).toMatchObject({ provider: 'openai', cost: '0', costSource: 'free' });
  });

  it('free calls add nothing to spend and nothing to the unpriced count', async () => {
    const res = await fetch(`${h.gw.url}/api/spend?days=1`, {
      headers: { authorization: `Bearer ${h.gw.adminToken}` },
    });
    const spend = (await res.json()) as { today: { cost: string }; unpriced?: unknown[] };
    const free = (await h.ctx.store.list({ limit: 1000, filter: (r) => r.costSource === 'free' })).data;
    expect(free.length).toBeGreaterThanOrEqual(6);
    const paid = (await h.ctx.store.list({ limit: 1000, filter: (r) => r.costSource !== 'free' })).data;
    const paidTotal = paid.reduce((n, r) => n + Number(r.cost ?? 0), 0);
    expect(Number(spend.today.cost)).toBeCloseTo(paidTotal, 9);
    const rows = await h.ctx.store.rollups(new Date(Date.now() - 86_400_000), new Date(Date.now() + 3_600_000));
    expect(rows.reduce((n, r) => n + r.unpriced, 0)).toBe(
      paid.filter((r) => r.costSource === 'unknown' && r.usage).length,
    );
  });
});

describe('multipart audio', () => {
  const openai = () => new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });

  it('whisper-1: model from the form, seconds from the answer, priced per audio hour', async () => {
    const file = await toFile(Buffer.alloc(30_000, 1), 'speech.wav', { type: 'audio/wav' });
    const { data, response } = await openai().audio.transcriptions.create({ file, model: 'whisper-1' }).withResponse();
    expect(data.text).toBe('Hello from the simulator.');
    const rec = await recordOf(response);
    const expected = calcPrice({ audio_seconds: 30, input_audio_seconds: 30 }, 'whisper-1', { providerId: 'openai' })!;
    expect(rec).toMatchObject({ model: 'whisper-1', usageSource: 'response', costSource: 'prices' });
    expect(rec.usage?.seconds).toBe(30);
    expect(Number(rec.cost)).toBeCloseTo(expected.total_price, 10);
    expect(expected.total_price).toBeGreaterThan(0);
  });

  it('gpt-4o-transcribe: audio tokens priced as audio', async () => {
    const file = await toFile(Buffer.alloc(5_000, 2), 'speech.wav', { type: 'audio/wav' });
    const { response } = await openai()
      .audio.transcriptions.create({ file, model: 'gpt-4o-transcribe' })
      .withResponse();
    const rec = await recordOf(response);
    const u = sims.openai.lastUsage as {
      input_tokens: number;
      output_tokens: number;
      input_token_details: { audio_tokens: number };
    };
    expect(rec.usage).toMatchObject({ input_tokens: u.input_tokens, output_tokens: u.output_tokens, audio_tokens: 50 });
    const expected = calcPrice(
      { input_tokens: u.input_tokens, output_tokens: u.output_tokens, input_audio_tokens: 50 },
      'gpt-4o-transcribe',
      { providerId: 'openai' },
    )!;
    expect(Number(rec.cost)).toBeCloseTo(expected.total_price, 10);
  });

  it('a text-format answer has no usage: unpriced, never estimated from text', async () => {
    const file = await toFile(Buffer.alloc(2_000, 3), 'speech.wav', { type: 'audio/wav' });
    const { response } = await openai()
      .audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'text' })
      .withResponse();
    const rec = await recordOf(response);
    expect(rec).toMatchObject({ model: 'whisper-1', usageSource: 'none', costSource: 'unknown' });
  });
});

describe('bare model names with a Lava key (every provider reachable)', () => {
  let lh: Harness;
  beforeAll(async () => {
    lh = await startHarness({ lava: { secretKey: 'aks_test_route_merchant_1' } }, { sims, withKeys: false });
  });
  afterAll(() => lh.close());

  it('claude-… on /v1/chat/completions reaches Anthropic, and the response says so', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${lh.gw.url}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toContain('Hello');
    expect(response.headers.get('x-lava-desktop-provider')).toBe('anthropic');
    expect(await lh.record(response.headers.get('x-lava-desktop-request-id')!)).toMatchObject({
      provider: 'anthropic',
      mode: 'lava',
    });
  });

  it('gemini-… goes to the native Google route, not its OpenAI-compatible twin', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${lh.gw.url}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-lava-desktop-provider')).toBe('google');
  });

  it('a name only equal choices serve stays ambiguous, listing them', async () => {
    const res = await fetch(`${lh.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Gryphe/MythoMax-L2-13b', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('ambiguous_model');
    expect(err.message).toContain('novita/Gryphe/MythoMax-L2-13b');
    expect(err.message).toContain('together/Gryphe/MythoMax-L2-13b');
  });
});

/** An OpenAI-compatible upstream that gzips everything, whatever the client asks (some proxies do). */
async function gzipUpstream(): Promise<{ url: string; acceptEncoding: string[]; close: () => Promise<void> }> {
  const acceptEncoding: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      acceptEncoding.push(String(req.headers['accept-encoding'] ?? ''));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        stream?: boolean;
        stream_options?: { include_usage?: boolean };
      };
      const gz = zlib.createGzip();
      const base = { id: 'chatcmpl-gz', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        gz.pipe(res);
        gz.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'zipped' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      gz.pipe(res);
      const frames = ['Zip', 'ped', ' stream'].map(
        (t) =>
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null }], usage: null })}\n\n`,
      );
      frames.push(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}\n\n`,
      );
      if (body.stream_options?.include_usage)
        frames.push(
          `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } })}\n\n`,
        );
      frames.push('data: [DONE]\n\n');
      for (const f of frames) {
        gz.write(f);
        gz.flush();
      }
      gz.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    acceptEncoding,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('compressed bodies the gateway must read', () => {
  let up: Awaited<ReturnType<typeof gzipUpstream>>;
  let gh: Harness;
  beforeAll(async () => {
    up = await gzipUpstream();
    gh = await startHarness({ providers: { openai: { origin: up.url, apiKey: KEYS.openai } } }, { sims });
  });
  afterAll(async () => {
    await gh.close();
    await up.close();
  });

  it('usage-filtered stream: asks for identity, decodes a gzip answer, hides the usage chunk, meters it', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${gh.gw.url}/openai/v1`, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    let text = '';
    let sawUsage = false;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) sawUsage = true;
    }
    expect(text).toBe('Zipped stream');
    expect(sawUsage).toBe(false);
    expect(up.acceptEncoding.at(-1)).toBe('identity');
    const rec = await gh.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec.usage).toMatchObject({ input_tokens: 9, output_tokens: 3 });
  });

  it('translated stream (Anthropic client → OpenAI-style upstream) is decoded before translation', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: gh.gw.url, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'openai/gpt-4o-mini',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe('Zipped stream');
    expect(final.usage.output_tokens).toBe(3);
  });

  it('translated JSON answer from a gzip upstream', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: gh.gw.url, maxRetries: 0 });
    const msg = await client.messages.create({
      model: 'openai/gpt-4o-mini',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'zipped' });
  });
});
