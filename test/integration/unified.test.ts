/**
 * Unified endpoints: the OpenAI SDK on Claude and the Anthropic SDK (and Claude Code's request
 * shape) on GPT, through translation — JSON, streams, tool-call round trips — against simulators
 * that reject malformed requests the way the real APIs do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let oa: OpenAI;
let an: Anthropic;
beforeAll(async () => {
  h = await startHarness();
  oa = new OpenAI({ apiKey: 'placeholder', baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
  an = new Anthropic({ apiKey: 'placeholder', baseURL: h.gw.url, maxRetries: 0 });
});
afterAll(() => h.close());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI SDK → Claude', () => {
  it('JSON: system prompt, default max_tokens, usage mapped, recorded as anthropic', async () => {
    const { data, response } = await oa.chat.completions
      .create({
        model: 'anthropic/claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi [cached]' },
        ],
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('anthropic/claude-sonnet-4-5');
    expect(data.choices[0]!.message.content).toBe('Hello from the');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    const sent = JSON.parse(h.sims.anthropic.received.at(-1)!.body) as Record<string, unknown>;
    expect(sent).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi [cached]' }] }],
    });
    const u = h.sims.anthropic.lastUsage!;
    expect(data.usage).toMatchObject({
      prompt_tokens: u.input_tokens! + u.cache_read_input_tokens!,
      completion_tokens: u.output_tokens,
      prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens },
    });
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({
      provider: 'anthropic',
      clientFormat: 'openai',
      model: 'claude-sonnet-4-5',
      costSource: 'prices',
    });
    expect(rec.usage!.input_tokens).toBe(data.usage!.prompt_tokens);
  });

  it('stream: chunks as they come, a usage chunk when asked', async () => {
    const stream = await oa.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream [chunks=5]' }],
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      finish ??= c.choices[0]?.finish_reason;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hello from the simulator.');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(h.sims.anthropic.lastUsage!.output_tokens);
  });

  it('tool call round trip, JSON and stream', async () => {
    const first = await oa.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      tools: [weatherTool],
      tool_choice: 'auto',
      messages: [{ role: 'user', content: 'weather? [tool]' }],
    });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'toolu_sim1', type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({ city: 'Paris' });
    const sentTools = (JSON.parse(h.sims.anthropic.received.at(-1)!.body) as { tools: unknown[]; tool_choice: unknown })
      .tools;
    expect(sentTools).toEqual([
      { name: 'get_weather', description: 'Weather in a city', input_schema: weatherTool.function.parameters },
    ]);

    const second = await oa.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather? [tool]' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: '18°C and sunny' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe('Hello from the');
    const sent = JSON.parse(h.sims.anthropic.received.at(-1)!.body) as {
      messages: { role: string; content: { type: string }[] }[];
    };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[2]!.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_sim1',
      content: '18°C and sunny',
    });

    const stream = await oa.chat.completions.create({
      model: 'anthropic/claude-sonnet-4-5',
      stream: true,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'weather? [tool]' }],
    });
    let args = '';
    let name = '';
    for await (const c of stream) {
      for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
        name ||= tc.function?.name ?? '';
        args += tc.function?.arguments ?? '';
      }
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
  });

  it('drops what Anthropic cannot honour, and says so', async () => {
    const { response } = await oa.chat.completions
      .create({
        model: 'anthropic/claude-sonnet-4-5',
        presence_penalty: 0.5,
        seed: 7,
        messages: [{ role: 'user', content: 'x' }],
      })
      .withResponse();
    expect(response.headers.get('x-lava-desktop-warning')).toBe(
      'presence_penalty is not supported by Anthropic and was dropped; seed is not supported by Anthropic and was dropped',
    );
  });
});

describe('Anthropic SDK → GPT', () => {
  it('JSON with a bare model name routed to OpenAI', async () => {
    const { data, response } = await an.messages
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hi' }],
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hello from the' }],
    });
    const sent = JSON.parse(h.sims.openai.received.at(-1)!.body) as { messages: unknown[] };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    const rec = await h.record(response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({ provider: 'openai', clientFormat: 'anthropic' });
    expect(data.usage.input_tokens + (data.usage.cache_read_input_tokens ?? 0)).toBe(rec.usage!.input_tokens);
  });

  it('stream and a tool-use round trip', async () => {
    const stream = an.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go [chunks=4]' }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual(
      [{ type: 'text', text: 'Hello from the simulator', citations: null }].map(({ citations: _c, ...b }) => b),
    );
    expect(final.usage.output_tokens).toBe(8);

    const tools = [
      {
        name: 'get_weather',
        description: 'Weather in a city',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
      },
    ];
    const first = await an.messages
      .stream({
        model: 'gpt-4o-mini',
        max_tokens: 100,
        tools,
        messages: [{ role: 'user', content: 'weather? [tool]' }],
      })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use')!;
    expect(use).toMatchObject({ id: 'call_sim1', name: 'get_weather', input: { city: 'Paris' } });
    const second = await an.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'weather? [tool]' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'Hello from the' });
  });

  it("Claude Code's request shape: ?beta=true, system blocks, many tools, streaming", async () => {
    const tools = Array.from({ length: 25 }, (_, i) => ({
      name: `Tool${i}`,
      description: `tool ${i}`,
      input_schema: { type: 'object', properties: {} },
    }));
    const res = await fetch(`${h.gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'placeholder',
        'anthropic-version': '2023-06-01',
        'user-agent': 'claude-cli/2.0.0 (external, cli)',
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        max_tokens: 32000,
        stream: true,
        system: [
          { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Be concise.' },
        ],
        tools,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'list files' }] }],
      }),
    });
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('message_stop');
    expect(events).toContain('content_block_delta');
    const sent = JSON.parse(h.sims.openai.received.at(-1)!.body) as {
      messages: { role: string; content: string }[];
      tools: unknown[];
    };
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.\n\nBe concise.' });
    expect(sent.tools).toHaveLength(25);
    const rec = await h.record(res.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({ client: 'claude-code', clientFormat: 'anthropic', provider: 'openai' });
  });
});

describe('routing', () => {
  it('unknown models get a 404 in the client shape that says what works; errors keep their shape', async () => {
    const err = (await oa.chat.completions
      .create({ model: 'no-such-model-9', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(404);
    expect(err.message).toContain('use provider/model with one of: openai, anthropic, google, elevenlabs');
    const aerr = (await an.messages
      .create({ model: 'no-such-model-9', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(aerr.status).toBe(404);
    expect((aerr.error as { type: string }).type).toBe('error');
    const upstream = (await an.messages
      .create({ model: 'openai/error-429', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(upstream.status).toBe(429);
    expect(upstream.message).toContain('simulated 429');
  });

  it('same API on both sides passes through with the model name rewritten', async () => {
    const r = await oa.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(r.model).toBe('gpt-4o-mini');
    expect((JSON.parse(h.sims.openai.received.at(-1)!.body) as { model: string }).model).toBe('gpt-4o-mini');
    const e = await oa.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(e.data[0]!.embedding).toHaveLength(3);
  });
});

describe('/v1/rewrite/<format>/<url>', () => {
  it("the Lava SDK's gateway(url, { format }) and an OpenAI SDK base URL on a rewrite path", async () => {
    const { Lava } = await import('@lavapayments/nodejs');
    const lava = new Lava('aks_test_rewrite_0001', { baseUrl: `${h.gw.url}/v1/` });
    const viaGateway = (await lava.gateway('https://api.anthropic.com/v1/messages', {
      format: 'openai',
      body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'rewrite me' }] },
    })) as { object: string; choices: { message: { content: string } }[] };
    expect(viaGateway.object).toBe('chat.completion');
    expect(viaGateway.choices[0]!.message.content).toBe('Hello from the');
    expect(h.sims.anthropic.received.at(-1)!.url).toBe('/v1/messages');

    // Scheme-less URL as in Lava's docs; the OpenAI SDK appends /chat/completions, which is stripped.
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: `${h.gw.url}/v1/rewrite/openai/api.anthropic.com/v1/messages`,
      maxRetries: 0,
    });
    const r = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(r.choices[0]!.message.content).toBe('Hello from the');
    expect(h.sims.anthropic.received.at(-1)!.url).toBe('/v1/messages');

    const bad = await fetch(`${h.gw.url}/v1/rewrite/bedrock/x.example/converse`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('Gemini behind the OpenAI and Anthropic shapes', () => {
  it('OpenAI SDK → google/gemini-2.5-flash: JSON with system instruction, stream with usage', async () => {
    const r = await oa.chat.completions
      .create({
        model: 'google/gemini-2.5-flash',
        max_tokens: 50,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi [think]' },
        ],
      })
      .withResponse();
    expect(r.data.choices[0]!.message.content).toBe('Hello from the');
    const got = h.sims.gemini.received.at(-1)!;
    expect(got.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(JSON.parse(got.body)).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'hi [think]' }] }],
      generationConfig: { maxOutputTokens: 50 },
    });
    const u = h.sims.gemini.lastUsage!;
    expect(r.data.usage).toMatchObject({
      prompt_tokens: u.promptTokenCount,
      completion_tokens: u.candidatesTokenCount! + u.thoughtsTokenCount!,
      completion_tokens_details: { reasoning_tokens: 7 },
    });
    const rec = await h.record(r.response.headers.get('x-lava-desktop-request-id')!);
    expect(rec).toMatchObject({
      provider: 'google',
      clientFormat: 'openai',
      model: 'gemini-2.5-flash',
      costSource: 'prices',
    });

    const stream = await oa.chat.completions.create({
      model: 'google/gemini-2.5-flash',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'go [chunks=4]' }],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hello from the simulator');
    expect(usage?.total_tokens).toBe(h.sims.gemini.lastUsage!.totalTokenCount);
    expect(h.sims.gemini.received.at(-1)!.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('OpenAI SDK → Gemini tool call round trip (function call, then function response by name)', async () => {
    const first = await oa.chat.completions.create({
      model: 'google/gemini-2.5-flash',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'weather? [tool]' }],
    });
    const call = first.choices[0]!.message.tool_calls![0]! as {
      id: string;
      function: { name: string; arguments: string };
    };
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const sentTools = (JSON.parse(h.sims.gemini.received.at(-1)!.body) as { tools: unknown }).tools;
    expect(sentTools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather in a city', parameters: weatherTool.function.parameters },
        ],
      },
    ]);
    const second = await oa.chat.completions.create({
      model: 'google/gemini-2.5-flash',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather? [tool]' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: 'sunny' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe('Hello from the');
    const contents = (
      JSON.parse(h.sims.gemini.received.at(-1)!.body) as {
        contents: { role: string; parts: Record<string, unknown>[] }[];
      }
    ).contents;
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(contents[2]!.parts[0]).toEqual({
      functionResponse: { name: 'get_weather', response: { content: 'sunny' } },
    });
  });

  it('Anthropic SDK → google/gemini-2.5-flash: JSON and stream', async () => {
    const msg = await an.messages.create({
      model: 'google/gemini-2.5-flash',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Hello from the' }],
      stop_reason: 'end_turn',
    });
    const final = await an.messages
      .stream({
        model: 'google/gemini-2.5-flash',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'go [chunks=2]' }],
      })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Hello from' });
    expect(final.usage.output_tokens).toBe(h.sims.gemini.lastUsage!.candidatesTokenCount);
  });
});

describe('/v1/responses on chat-style providers (Codex CLI on Claude)', () => {
  const fnTool = {
    type: 'function' as const,
    name: 'shell',
    description: 'run a command',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
    strict: false,
  };

  it('JSON: instructions and input become a chat, the answer a Responses object with usage', async () => {
    const r = await oa.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      instructions: 'Be brief.',
      input: 'hello',
    });
    expect(r.object).toBe('response');
    expect(r.status).toBe('completed');
    expect(r.output_text).toBe('Hello from the');
    const sent = JSON.parse(h.sims.anthropic.received.at(-1)!.body) as { system: string; messages: unknown[] };
    expect(sent.system).toBe('Be brief.');
    expect(r.usage!.output_tokens).toBe(h.sims.anthropic.lastUsage!.output_tokens);
  });

  it("stream with Codex's event sequence, a function call, and its output sent back", async () => {
    const stream = await oa.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      stream: true,
      tools: [fnTool],
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'list files [tool]' }] }],
    });
    const types: string[] = [];
    let call: { call_id: string; name: string; arguments: string } | undefined;
    for await (const e of stream) {
      types.push(e.type);
      if (e.type === 'response.output_item.done' && e.item.type === 'function_call') call = e.item;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(call).toMatchObject({ call_id: 'toolu_sim1', name: 'shell' });
    expect(JSON.parse(call!.arguments)).toEqual({ city: 'Paris' });
    const next = await oa.responses.create({
      model: 'anthropic/claude-sonnet-4-5',
      tools: [fnTool],
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'list files [tool]' }] },
        { type: 'function_call', call_id: call!.call_id, name: call!.name, arguments: call!.arguments },
        { type: 'function_call_output', call_id: call!.call_id, output: 'a.txt b.txt' },
      ],
    });
    expect(next.output_text).toBe('Hello from the');
    const sent = JSON.parse(h.sims.anthropic.received.at(-1)!.body) as {
      messages: { role: string; content: { type: string }[] }[];
    };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('Gemini behind /v1/responses, streamed', async () => {
    const stream = await oa.responses.create({
      model: 'google/gemini-2.5-flash',
      stream: true,
      input: 'go [chunks=3]',
    });
    let text = '';
    let usage: { total_tokens: number } | undefined;
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') text += e.delta;
      if (e.type === 'response.completed') usage = e.response.usage ?? undefined;
    }
    expect(text).toBe('Hello from the');
    expect(usage?.total_tokens).toBe(h.sims.gemini.lastUsage!.totalTokenCount);
  });
});
