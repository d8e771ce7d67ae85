/**
 * A running stream that crosses a hard budget cap is cut in every stream style (PRODUCT.md §14):
 * OpenAI chat (with and without `include_usage`), Responses, Anthropic messages and Gemini (SSE,
 * JSON array, usage reported per chunk or only at the end), each through the real client — the
 * openai and Anthropic SDKs, fetch for Gemini. Each time: the client's iteration ends with the
 * budget error in its API's shape, fewer chunks reached it than the simulator had to send, the
 * simulator saw its connection closed early, the record says the budget cut it, and what is
 * recorded stays within the cap plus one chunk's worth. The room left under the cap is computed
 * here from the tokenizer and the price data, not from the gateway's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { countTokens } from 'gpt-tokenizer';
import { calcPrice } from '@pydantic/genai-prices';
import { createParser } from 'eventsource-parser';
import { startSimulators, type Simulators } from '../simulators/index.js';
import type { Simulator } from '../simulators/http-util.js';
import { tokensOf } from '../simulators/http-util.js';
import { startHarness, type Harness } from './harness.js';

const DAILY = 1;
/** Chunks the simulator would send, one word each, 40 ms apart. */
const CHUNKS = 40;
const PROMPT = `Tell me a long story, please. [gap=40] [chunks=${CHUNKS}]`;
/** Output tokens the stream may produce before it crosses the cap. */
const ROOM_TOKENS = 12;

let sims: Simulators;
let h: Harness;
beforeAll(async () => {
  sims = await startSimulators();
  h = await startHarness({ budgets: { daily: DAILY, hardStop: true, reserveOutputTokens: 1 } }, { sims });
});
afterAll(async () => {
  await h.close();
  await sims.close();
});

const price = (model: string, provider: string, input: number, output: number) =>
  calcPrice({ input_tokens: input, output_tokens: output }, model, { providerId: provider })!.total_price;

/**
 * Leaves room under the cap for the prompt (the larger of the gateway's count and the provider's)
 * and ROOM_TOKENS of output; returns one chunk's worth (a word: at most 2 output tokens, as the
 * simulators report it).
 */
function leaveRoom(model: string, provider: string, providerInput: number): number {
  const input = Math.max(countTokens(PROMPT), providerInput);
  h.ctx.budget!.today = DAILY - price(model, provider, input, ROOM_TOKENS);
  return price(model, provider, 0, 2);
}

/** Runs `fn` and fails if it takes longer than `ms` (a stream that is not cut would take CHUNKS × 40 ms). */
async function within<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still streaming after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the simulator has seen one more connection closed before its response was finished. */
async function closedEarly(sim: Simulator, before: number): Promise<number> {
  for (let i = 0; i < 100 && sim.aborted === before; i++) await new Promise((r) => setTimeout(r, 20));
  return sim.aborted - before;
}

/** The record of a cut stream, once its spend is counted: it names the cut, and spend is within the cap + a chunk. */
async function expectCut(id: string, chunkWorth: number) {
  const rec = await h.record(id);
  for (let i = 0; i < 100 && h.ctx.budget!.reserved.has(id); i++) await new Promise((r) => setTimeout(r, 10));
  expect(rec.error).toMatch(/^budget reached: stream cut \(Lava Desktop daily budget reached for this stream/);
  expect(rec.usage!.output_tokens).toBeGreaterThan(0);
  expect(Number(rec.cost)).toBeGreaterThan(0);
  const spent = h.ctx.budget!.today;
  expect(spent).toBeGreaterThan(DAILY);
  expect(spent).toBeLessThanOrEqual(DAILY + chunkWorth + 1e-9);
  return rec;
}

const openai = () => new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });

describe('a stream crossing a hard cap is cut', () => {
  for (const includeUsage of [false, true]) {
    it(`OpenAI chat completions, ${includeUsage ? 'with' : 'without'} include_usage: the SDK raises the budget error`, async () => {
      const chunkWorth = leaveRoom('gpt-4o', 'openai', 0);
      const aborted = sims.openai.aborted;
      const { data: stream, response } = await openai()
        .chat.completions.create({
          model: 'gpt-4o',
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
          messages: [{ role: 'user', content: PROMPT }],
        })
        .withResponse();
      let words = 0;
      const err = await within(1500, async () => {
        for await (const c of stream) if (c.choices[0]?.delta.content) words++;
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded');
      expect(String(err)).toContain('daily budget reached for this stream');
      expect(words).toBeGreaterThan(ROOM_TOKENS / 2);
      expect(words).toBeLessThan(CHUNKS);
      expect(await closedEarly(sims.openai, aborted)).toBe(1);
      const rec = await expectCut(response.headers.get('x-lava-desktop-request-id')!, chunkWorth);
      expect(rec.usageSource).toBe('estimated');
      expect(rec.usage!.input_tokens).toBe(countTokens(PROMPT));
    });
  }

  it('events cut in two by TCP: under a cap the stream goes out in whole events, so the cut never leaves half of one', async () => {
    // include_usage asked: the upstream's bytes go to the client as they are, not through the usage filter.
    for (const kind of ['chat', 'responses'] as const) {
      const chunkWorth = leaveRoom('gpt-4o', 'openai', 0);
      const client = openai();
      const run =
        kind === 'chat'
          ? async () => {
              const s = await client.chat.completions.create({
                model: 'gpt-4o',
                stream: true,
                stream_options: { include_usage: true },
                messages: [{ role: 'user', content: `${PROMPT} [split]` }],
              });
              for await (const c of s) void c;
            }
          : async () => {
              const s = await client.responses.create({ model: 'gpt-4o', stream: true, input: `${PROMPT} [split]` });
              for await (const e of s) if (e.type === 'error') throw Object.assign(new Error(e.message), e);
            };
      const err = await within(3000, run).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'budget_exceeded' });
      const [rec] = await h.records(1);
      await expectCut(rec!.id, chunkWorth);
    }
  });

  it('OpenAI Responses: an `error` event with the next sequence number, and the iteration ends', async () => {
    const chunkWorth = leaveRoom('gpt-4o', 'openai', 0);
    const aborted = sims.openai.aborted;
    const { data: stream, response } = await openai()
      .responses.create({ model: 'gpt-4o', stream: true, input: PROMPT })
      .withResponse();
    const events: { type: string; sequence_number: number; code?: string | null; message?: string }[] = [];
    await within(1500, async () => {
      for await (const e of stream) events.push(e);
    });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'error', code: 'budget_exceeded', param: null });
    expect(last.message).toContain('daily budget reached for this stream');
    expect(last.sequence_number).toBe(events.at(-2)!.sequence_number + 1);
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(ROOM_TOKENS / 2);
    expect(deltas).toBeLessThan(CHUNKS);
    expect(events.some((e) => e.type === 'response.completed')).toBe(false);
    expect(await closedEarly(sims.openai, aborted)).toBe(1);
    await expectCut(response.headers.get('x-lava-desktop-request-id')!, chunkWorth);
  });

  it("OpenAI Responses through the SDK's stream helper: it emits the error and ends instead of hanging", async () => {
    const chunkWorth = leaveRoom('gpt-4o', 'openai', 0);
    const stream = openai().responses.stream({ model: 'gpt-4o', input: PROMPT });
    const emitted: unknown[] = [];
    stream.on('error', (e) => emitted.push(e));
    const events: { type: string }[] = [];
    await within(1500, async () => {
      for await (const e of stream) events.push(e);
    });
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'budget_exceeded' });
    expect(emitted).toEqual([expect.objectContaining({ type: 'error', code: 'budget_exceeded' })]);
    await expect(within(500, () => stream.finalResponse())).rejects.toMatchObject({ code: 'budget_exceeded' });
    const [rec] = await h.records(1);
    await expectCut(rec!.id, chunkWorth);
  });

  it('Anthropic messages (output reported only at the end): the deltas are counted and the SDK raises', async () => {
    const simInput = tokensOf(JSON.stringify([{ role: 'user', content: PROMPT }]) + JSON.stringify(''));
    const chunkWorth = leaveRoom('claude-sonnet-4-5', 'anthropic', simInput);
    const aborted = sims.anthropic.aborted;
    const an = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    const { data: stream, response } = await an.messages
      .create({
        model: 'claude-sonnet-4-5',
        max_tokens: 1000,
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      })
      .withResponse();
    let words = 0;
    const err = await within(1500, async () => {
      for await (const e of stream) if (e.type === 'content_block_delta') words++;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String(err)).toContain('daily budget reached for this stream');
    expect(words).toBeGreaterThan(ROOM_TOKENS / 2);
    expect(words).toBeLessThan(CHUNKS);
    expect(await closedEarly(sims.anthropic, aborted)).toBe(1);
    const rec = await expectCut(response.headers.get('x-lava-desktop-request-id')!, chunkWorth);
    expect(rec.usage!.input_tokens).toBe(simInput);
  });

  /** Gemini over fetch: the SSE events (data payloads) or the JSON array's elements. */
  async function gemini(query: string, extra = '') {
    const res = await fetch(`${h.gw.url}/google/v1beta/models/gemini-2.5-flash:streamGenerateContent${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'placeholder' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `${PROMPT}${extra}` }] }] }),
    });
    expect(res.status).toBe(200);
    const text = await within(1500, () => res.text());
    let items: Record<string, unknown>[] = [];
    if (query.includes('alt=sse')) {
      const parser = createParser({ onEvent: (e) => items.push(JSON.parse(e.data) as Record<string, unknown>) });
      parser.feed(text);
    } else items = JSON.parse(text) as Record<string, unknown>[];
    return { id: res.headers.get('x-lava-desktop-request-id')!, items };
  }

  for (const [query, usage] of [
    ['?alt=sse', 'per chunk'],
    ['?alt=sse', 'only at the end'],
    ['', 'per chunk'],
  ] as const) {
    it(`Gemini ${query ? 'SSE' : 'JSON array'}, usage ${usage}: the last item is a 402 error`, async () => {
      const extra = usage === 'per chunk' ? '' : ' [usage=end]';
      const simInput = tokensOf(JSON.stringify([{ role: 'user', parts: [{ text: `${PROMPT}${extra}` }] }]));
      const chunkWorth = leaveRoom('gemini-2.5-flash', 'google', usage === 'per chunk' ? simInput : 0);
      const aborted = sims.gemini.aborted;
      const { id, items } = await gemini(query, extra);
      const last = items.at(-1)!;
      expect(last.error).toMatchObject({ code: 402, status: 'BUDGET_EXCEEDED' });
      expect(String((last.error as { message: string }).message)).toContain('daily budget reached for this stream');
      const words = items.filter((i) => i.candidates).length;
      expect(words).toBeGreaterThan(ROOM_TOKENS / 4);
      expect(words).toBeLessThan(CHUNKS);
      expect(await closedEarly(sims.gemini, aborted)).toBe(1);
      await expectCut(id, chunkWorth);
    });
  }

  it('a Responses client on Claude (translated): the error event continues its sequence numbers', async () => {
    const simInput = tokensOf(JSON.stringify([{ role: 'user', content: PROMPT }]) + JSON.stringify(''));
    const chunkWorth = leaveRoom('claude-sonnet-4-5', 'anthropic', simInput + 20);
    const client = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
    const { data: stream, response } = await client.responses
      .create({ model: 'anthropic/claude-sonnet-4-5', stream: true, input: PROMPT, max_output_tokens: 1000 })
      .withResponse();
    const events: { type: string; sequence_number: number; code?: string | null }[] = [];
    await within(1500, async () => {
      for await (const e of stream) events.push(e);
    });
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'budget_exceeded' });
    expect(events.at(-1)!.sequence_number).toBe(events.at(-2)!.sequence_number + 1);
    expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeLessThan(CHUNKS);
    await expectCut(response.headers.get('x-lava-desktop-request-id')!, chunkWorth);
  });
});
