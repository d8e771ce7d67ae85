/**
 * Streaming behaviour: chunks reach the client as the upstream sends them (no buffering),
 * a client abort mid-stream aborts the upstream request and is recorded with the usage seen,
 * an unreachable upstream is a 502 in the client's shape, a gzip JSON body is still metered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, type Harness } from './harness.js';
import { startServer, type Simulator } from '../simulators/http-util.js';
import zlib from 'node:zlib';

let h: Harness;
let gz: Simulator;
beforeAll(async () => {
  gz = await startServer((_req, res) => {
    const body = zlib.gzipSync(
      JSON.stringify({
        id: 'chatcmpl-gz',
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [],
        usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 },
      }),
    );
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': body.length,
    });
    res.end(body);
  });
  h = await startHarness({
    providers: {
      deepseek: { origin: 'http://127.0.0.1:9', apiKey: 'sk-deepseek-test-000' },
      groq: { origin: gz.url, apiKey: 'gsk-test-00000000' },
    },
  });
});
afterAll(async () => {
  await h.close();
  await gz.close();
});

const streamBody = (extra: string) =>
  JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `go ${extra}` }] });

describe('streaming', () => {
  it('delivers each SSE chunk as it arrives', async () => {
    const res = await fetch(`${h.gw.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamBody('[gap=80] [chunks=5]'),
    });
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    const t0 = Date.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      arrivals.push(Date.now() - t0);
    }
    // 8 frames 80 ms apart: a buffering proxy would deliver them in one or two reads at the end.
    expect(arrivals.length).toBeGreaterThanOrEqual(6);
    expect(arrivals[0]!).toBeLessThan(arrivals.at(-1)! - 300);
  });

  it('a client abort mid-stream aborts upstream and records the usage seen so far', async () => {
    const client = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    const { data: stream, response } = await client.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'long [gap=100] [chunks=9]' }],
      })
      .withResponse();
    const abortedBefore = h.sims.anthropic.aborted;
    let seen = 0;
    for await (const e of stream) {
      if (e.type === 'content_block_delta' && ++seen === 2) break; // leaving the loop aborts the request
    }
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec.error).toBe('aborted by client');
    expect(rec.status).toBe(200);
    expect(rec.usage!.input_tokens).toBe(h.sims.anthropic.lastUsage!.input_tokens);
    expect(rec.usage!.output_tokens).toBe(1); // only message_start's count had arrived
    // The gateway closed its upstream request too: the simulator saw its response cut short.
    await expect.poll(() => h.sims.anthropic.aborted).toBe(abortedBefore + 1);
  });

  it('an upstream that dies mid-stream ends the client stream and is recorded as such (not as a client abort)', async () => {
    const dying = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"chatcmpl-d","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const g = await startHarness(
      { providers: { together: { origin: dying.url, apiKey: 'tg-test-000000000' } } },
      { sims: h.sims },
    );
    try {
      const r = await fetch(`${g.gw.url}/together/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"m","stream":true}',
      });
      await expect(r.text()).rejects.toThrow();
      const rec = await g.record(r.headers.get('x-lava-desktop-request-id')!);
      expect(rec).toMatchObject({
        status: 200,
        error: 'upstream closed the connection early',
        responseId: 'chatcmpl-d',
      });
      expect((await fetch(`${g.gw.url}/healthz`)).status).toBe(200);
    } finally {
      await g.close();
      await dying.close();
    }
  });

  it('an unreachable upstream is a 502 in the OpenAI shape, recorded', async () => {
    const res = await fetch(`${h.gw.url}/deepseek/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"deepseek-chat"}',
    });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_unreachable');
    expect(body.error.message).not.toContain('sk-deepseek');
    const rec = await h.record(res.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({ status: 502, provider: 'deepseek', model: 'deepseek-chat' });
  });

  it('meters a gzip-compressed JSON response and passes it on compressed', async () => {
    const res = await fetch(`${h.gw.url}/groq/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"llama-3.3-70b-versatile"}',
    });
    expect(((await res.json()) as { id: string }).id).toBe('chatcmpl-gz');
    expect(gz.received.at(-1)!.url).toBe('/openai/v1/chat/completions');
    const rec = await h.record(res.headers.get('x-lava-desktop-request-id')!);
    expect(rec.usage).toMatchObject({ input_tokens: 11, output_tokens: 5 });
    expect(rec.costSource).toBe('prices');
  });
});
