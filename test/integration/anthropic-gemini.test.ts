/** Anthropic (official SDK), Gemini and ElevenLabs traffic: auth headers, cache tokens, running totals, stream framings. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { KEYS, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const idOf = (r: Response | { headers: Headers }) => r.headers.get('x-lava-desktop-request-id')!;

describe('anthropic messages', () => {
  const client = () => new Anthropic({ apiKey: 'placeholder', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });

  it('injects x-api-key, adds cache reads and writes into input, prices the model', async () => {
    const { data, response } = await client()
      .messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hello [cached] [cache-write]' }],
      })
      .withResponse();
    const got = h.sims.anthropic.received.at(-1)!;
    expect(got.headers['x-api-key']).toBe(KEYS.anthropic);
    expect(got.headers.authorization).toBeUndefined();
    const u = h.sims.anthropic.lastUsage!;
    const rec = await h.record(idOf(response));
    expect(rec.usage).toMatchObject({
      input_tokens: u.input_tokens! + u.cache_read_input_tokens! + u.cache_creation_input_tokens!,
      cache_read_tokens: u.cache_read_input_tokens,
      cache_write_tokens: u.cache_creation_input_tokens,
      output_tokens: u.output_tokens,
    });
    expect(rec.usage!.cache_read_tokens).toBeGreaterThan(0);
    expect(rec).toMatchObject({
      provider: 'anthropic',
      responseId: data.id,
      costSource: 'prices',
      client: 'anthropic-node',
    });
  });

  it('streams: keeps the latest running total of message_delta, never the sum', async () => {
    const { data: stream, response } = await client()
      .messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'stream [chunks=6]' }],
      })
      .withResponse();
    let text = '';
    for await (const e of stream)
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
    expect(text).toBe('Hello from the simulator. Tokens');
    const rec = await h.record(idOf(response));
    expect(rec.usage!.output_tokens).toBe(h.sims.anthropic.lastUsage!.output_tokens);
    expect(rec.stream).toBe(true);
  });

  it('passes the upstream 400 for a malformed request through unchanged', async () => {
    const res = await fetch(`${h.gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });
});

describe('gemini', () => {
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi [think] [chunks=4]' }] }] });
  const post = (path: string) =>
    fetch(`${h.gw.url}/google/v1beta/models/gemini-2.5-flash:${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'placeholder' },
      body,
    });

  it('generateContent: usageMetadata with thoughts counted as output', async () => {
    const res = await post('generateContent');
    expect(res.status).toBe(200);
    await res.json();
    expect(h.sims.gemini.received.at(-1)!.headers['x-goog-api-key']).toBe(KEYS.google);
    const u = h.sims.gemini.lastUsage!;
    const rec = await h.record(idOf(res));
    expect(rec.usage).toMatchObject({
      input_tokens: u.promptTokenCount,
      output_tokens: u.candidatesTokenCount! + u.thoughtsTokenCount!,
      reasoning_tokens: u.thoughtsTokenCount,
      total_tokens: u.totalTokenCount,
    });
    expect(rec).toMatchObject({ model: 'gemini-2.5-flash', costSource: 'prices' });
  });

  it('streamGenerateContent with alt=sse (CRLF framing): the last usageMetadata wins', async () => {
    const res = await post('streamGenerateContent?alt=sse');
    const text = await res.text();
    expect(text.split('\r\n\r\n').filter(Boolean)).toHaveLength(4);
    const rec = await h.record(idOf(res));
    expect(rec.stream).toBe(true);
    expect(rec.usage!.total_tokens).toBe(h.sims.gemini.lastUsage!.totalTokenCount);
  });

  it('streamGenerateContent as a JSON array sent piece by piece', async () => {
    const res = await post('streamGenerateContent');
    const items = (await res.json()) as unknown[];
    expect(items).toHaveLength(4);
    const rec = await h.record(idOf(res));
    expect(rec.usage!.output_tokens).toBe(h.sims.gemini.lastUsage!.candidatesTokenCount! + 7);
  });

  it('moves a ?key= credential into the header and never forwards the placeholder', async () => {
    const res = await fetch(`${h.gw.url}/google/v1beta/models/gemini-2.5-flash:generateContent?key=placeholder`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const got = h.sims.gemini.received.at(-1)!;
    expect(got.url).not.toContain('key=');
    expect(got.headers['x-goog-api-key']).toBe(KEYS.google);
  });
});

describe('elevenlabs', () => {
  it('meters text-to-speech by characters of the request text', async () => {
    const text = 'Bonjour, ça va ?';
    const res = await fetch(`${h.gw.url}/elevenlabs/v1/text-to-speech/voice123`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text, model_id: 'eleven_multilingual_v2' }),
    });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect((await res.arrayBuffer()).byteLength).toBe(32 + text.length);
    expect(h.sims.elevenlabs.received.at(-1)!.headers['xi-api-key']).toBe(KEYS.elevenlabs);
    const rec = await h.record(idOf(res));
    expect(rec.usage?.characters).toBe([...text].length);
    expect(rec.model).toBe('eleven_multilingual_v2');
  });
});
