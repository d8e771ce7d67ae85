/**
 * OpenAI chat completions ⇄ Anthropic Messages, as pure functions: requests, JSON responses and
 * stream events both ways. Parameters the target cannot honour are dropped and named in
 * `warnings` (sent to the client as `x-lava-desktop-warning`), never silently changed in meaning.
 */
import { asArray as arr, asObject as obj, asString as str, type Json } from '../lib/json.js';

/** Anthropic requires max_tokens; OpenAI clients often omit it. */
export const DEFAULT_MAX_TOKENS = 4096;

export interface Translated {
  body: Json;
  warnings: string[];
}

/** Warnings for request keys a translator does not carry over, so nothing is dropped silently. */
export function unhandled(req: Json, handled: readonly string[], target: string): string[] {
  return Object.keys(req)
    .filter((k) => !handled.includes(k) && req[k] !== undefined && req[k] !== null)
    .map((k) => `${k} is not supported by ${target} and was dropped`);
}

/** Tool-call arguments (a JSON string in OpenAI's shape) as an object; malformed arguments become {}. */
export function parseArguments(args: unknown): unknown {
  try {
    return JSON.parse(typeof args === 'string' && args ? args : '{}');
  } catch {
    return {};
  }
}

const CHAT_TO_MESSAGES = [
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stream',
  'stream_options',
  'stop',
  'tools',
  'tool_choice',
  'user',
];
const MESSAGES_TO_CHAT = [
  'model',
  'messages',
  'system',
  'max_tokens',
  'temperature',
  'top_p',
  'stream',
  'stop_sequences',
  'tools',
  'tool_choice',
];

// ---------- OpenAI chat request → Anthropic messages request ----------

function imagePart(p: Json): Json {
  const url = str(obj(p.image_url).url) ?? '';
  const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
  return m
    ? { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } }
    : { type: 'image', source: { type: 'url', url } };
}

function contentBlocks(content: unknown): Json[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return arr(content).map((p) => {
    const part = obj(p);
    if (part.type === 'image_url') return imagePart(part);
    return { type: 'text', text: str(part.text) ?? '' };
  });
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : arr(content)
        .map((p) => str(obj(p).text) ?? '')
        .join('');

export function chatToMessages(req: Json, model: string): Translated {
  const warnings: string[] = [];
  const system: string[] = [];
  const messages: Json[] = [];
  const push = (role: 'user' | 'assistant', blocks: Json[]) => {
    const last = messages.at(-1);
    // Anthropic wants alternating roles: merge consecutive messages of one role.
    if (last && last.role === role) (last.content as Json[]).push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const raw of arr(req.messages)) {
    const m = obj(raw);
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') push('user', contentBlocks(m.content));
    else if (m.role === 'assistant') {
      const blocks = contentBlocks(m.content);
      for (const tc of arr(m.tool_calls)) {
        const call = obj(tc);
        const fn = obj(call.function);
        const input = parseArguments(fn.arguments);
        blocks.push({ type: 'tool_use', id: call.id, name: fn.name, input });
      }
      push('assistant', blocks);
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: textOf(m.content) }]);
    }
  }
  const out: Json = { model, messages, max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS };
  if (system.length) out.system = system.join('\n\n');
  for (const k of ['temperature', 'top_p', 'stream'] as const) if (req[k] !== undefined) out[k] = req[k];
  if (req.stop !== undefined) out.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (Array.isArray(req.tools)) {
    out.tools = req.tools.map((t) => {
      const fn = obj(obj(t).function);
      return {
        name: fn.name,
        description: fn.description,
        input_schema: fn.parameters ?? { type: 'object', properties: {} },
      };
    });
  }
  const choice = req.tool_choice;
  if (choice === 'none') out.tool_choice = { type: 'none' };
  else if (choice === 'required') out.tool_choice = { type: 'any' };
  else if (choice === 'auto') out.tool_choice = { type: 'auto' };
  else if (choice && typeof choice === 'object')
    out.tool_choice = { type: 'tool', name: obj(obj(choice).function).name };
  if (req.user !== undefined) out.metadata = { user_id: String(req.user) };
  // n=1 and a text response format change nothing; everything else not carried over is named.
  const rest = { ...req };
  if (rest.n === 1) delete rest.n;
  if (obj(rest.response_format).type === 'text') delete rest.response_format;
  warnings.push(...unhandled(rest, CHAT_TO_MESSAGES, 'Anthropic'));
  return { body: out, warnings };
}

// ---------- Anthropic response → OpenAI chat response ----------

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  pause_turn: 'stop',
  refusal: 'content_filter',
};

export function anthropicUsageToOpenAi(u: Json): Json {
  const cacheRead = Number(u.cache_read_input_tokens ?? 0);
  const prompt = Number(u.input_tokens ?? 0) + cacheRead + Number(u.cache_creation_input_tokens ?? 0);
  const completion = Number(u.output_tokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

export function messagesResponseToChat(res: Json, model: string): Json {
  let text = '';
  const toolCalls: Json[] = [];
  for (const b of arr(res.content)) {
    const block = obj(b);
    if (block.type === 'text') text += str(block.text) ?? '';
    if (block.type === 'tool_use')
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
  }
  const message: Json = { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: `chatcmpl-${str(res.id) ?? 'lava'}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[str(res.stop_reason) ?? ''] ?? 'stop' }],
    usage: anthropicUsageToOpenAi(obj(res.usage)),
  };
}

// ---------- Anthropic stream → OpenAI chat stream ----------

/** Turns Anthropic stream events into OpenAI chunk payloads (`[DONE]` at the end). */
export class MessagesToChatStream {
  private id = 'chatcmpl-lava';
  private usage: Json = {};
  private toolIndex = -1;
  private readonly blockTool = new Map<number, number>();

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Json, finish: string | null = null): Json {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
  }

  /** Payloads to send for one Anthropic event (`data:` lines, JSON or `[DONE]`). */
  event(type: string | undefined, data: Json): string[] {
    switch (type) {
      case 'message_start': {
        const m = obj(data.message);
        this.id = `chatcmpl-${str(m.id) ?? 'lava'}`;
        this.usage = { ...obj(m.usage) };
        return [JSON.stringify(this.chunk({ role: 'assistant', content: '' }))];
      }
      case 'content_block_start': {
        const b = obj(data.content_block);
        if (b.type !== 'tool_use') return [];
        this.blockTool.set(Number(data.index), ++this.toolIndex);
        return [
          JSON.stringify(
            this.chunk({
              tool_calls: [
                { index: this.toolIndex, id: b.id, type: 'function', function: { name: b.name, arguments: '' } },
              ],
            }),
          ),
        ];
      }
      case 'content_block_delta': {
        const d = obj(data.delta);
        if (d.type === 'text_delta') return [JSON.stringify(this.chunk({ content: d.text }))];
        if (d.type === 'input_json_delta') {
          const index = this.blockTool.get(Number(data.index)) ?? 0;
          return [JSON.stringify(this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] }))];
        }
        return [];
      }
      case 'message_delta': {
        Object.assign(this.usage, obj(data.usage));
        const reason = str(obj(data.delta).stop_reason);
        return reason ? [JSON.stringify(this.chunk({}, FINISH[reason] ?? 'stop'))] : [];
      }
      case 'message_stop': {
        const out: string[] = [];
        if (this.includeUsage)
          out.push(JSON.stringify({ ...this.chunk({}), choices: [], usage: anthropicUsageToOpenAi(this.usage) }));
        out.push('[DONE]');
        return out;
      }
      case 'error':
        return [
          JSON.stringify({
            error: {
              message: str(obj(data.error).message) ?? 'upstream error',
              type: str(obj(data.error).type) ?? 'api_error',
            },
          }),
        ];
      default:
        return [];
    }
  }
}

// ---------- Anthropic messages request → OpenAI chat request ----------

export function messagesToChat(req: Json, model: string): Translated {
  const warnings: string[] = [];
  const messages: Json[] = [];
  const system =
    typeof req.system === 'string'
      ? req.system
      : arr(req.system)
          .map((b) => str(obj(b).text) ?? '')
          .join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const raw of arr(req.messages)) {
    const m = obj(raw);
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : arr(m.content).map(obj);
    if (m.role === 'assistant') {
      const text = blocks
        .filter((b) => b.type === 'text')
        .map((b) => str(b.text) ?? '')
        .join('');
      const calls = blocks
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({
          id: b.id,
          type: 'function',
          function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
        }));
      messages.push({ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) });
      continue;
    }
    const parts: Json[] = [];
    for (const b of blocks) {
      if (b.type === 'tool_result') {
        const content =
          typeof b.content === 'string'
            ? b.content
            : arr(b.content)
                .map((c) => str(obj(c).text) ?? '')
                .join('');
        messages.push({ role: 'tool', tool_call_id: b.tool_use_id, content });
      } else if (b.type === 'image') {
        const src = obj(b.source);
        parts.push({
          type: 'image_url',
          image_url: {
            url: src.type === 'base64' ? `data:${str(src.media_type)};base64,${str(src.data)}` : str(src.url),
          },
        });
      } else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
    }
    if (parts.length)
      messages.push({
        role: 'user',
        content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts,
      });
  }
  const out: Json = { model, messages };
  if (req.max_tokens !== undefined) out.max_tokens = req.max_tokens;
  for (const k of ['temperature', 'top_p', 'stream'] as const) if (req[k] !== undefined) out[k] = req[k];
  if (req.stream === true) out.stream_options = { include_usage: true };
  if (req.stop_sequences !== undefined) out.stop = req.stop_sequences;
  if (Array.isArray(req.tools)) {
    out.tools = req.tools
      .map(obj)
      .filter((t) => t.input_schema !== undefined || t.type === undefined || t.type === 'custom')
      .map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.input_schema },
      }));
    const serverTools = req.tools
      .map(obj)
      .filter((t) => t.input_schema === undefined && t.type !== undefined && t.type !== 'custom');
    for (const t of serverTools)
      warnings.push(`tool ${String(t.name ?? t.type)} is an Anthropic server tool and was dropped`);
  }
  const choice = obj(req.tool_choice);
  if (choice.type === 'auto') out.tool_choice = 'auto';
  else if (choice.type === 'any') out.tool_choice = 'required';
  else if (choice.type === 'none') out.tool_choice = 'none';
  else if (choice.type === 'tool') out.tool_choice = { type: 'function', function: { name: choice.name } };
  warnings.push(...unhandled(req, MESSAGES_TO_CHAT, 'OpenAI-compatible APIs'));
  return { body: out, warnings };
}

// ---------- OpenAI chat response → Anthropic message ----------

const STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export function openAiUsageToAnthropic(u: Json): Json {
  const cached = Number(obj(u.prompt_tokens_details).cached_tokens ?? 0);
  return {
    input_tokens: Number(u.prompt_tokens ?? 0) - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: Number(u.completion_tokens ?? 0),
  };
}

export function chatResponseToMessages(res: Json, model: string): Json {
  const choice = obj(arr(res.choices)[0]);
  const message = obj(choice.message);
  const content: Json[] = [];
  if (str(message.content)) content.push({ type: 'text', text: message.content });
  for (const tc of arr(message.tool_calls)) {
    const call = obj(tc);
    const fn = obj(call.function);
    const input = parseArguments(fn.arguments);
    content.push({ type: 'tool_use', id: call.id, name: fn.name, input });
  }
  return {
    id: `msg_${str(res.id) ?? 'lava'}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: STOP[str(choice.finish_reason) ?? ''] ?? 'end_turn',
    stop_sequence: null,
    usage: openAiUsageToAnthropic(obj(res.usage)),
  };
}

// ---------- OpenAI chat stream → Anthropic stream ----------

/** Turns OpenAI chunk payloads into Anthropic events (`[event, data]` pairs). */
export class ChatToMessagesStream {
  private started = false;
  private block = -1;
  private blockKind: 'text' | 'tool' | undefined;
  private readonly toolBlocks = new Map<number, number>();
  private stopReason: string | undefined;
  private usage: Json = {};
  private ended = false;

  constructor(private readonly model: string) {}

  private open(kind: 'text' | 'tool', start: Json): [string, Json][] {
    const out = this.close();
    this.block++;
    this.blockKind = kind;
    out.push(['content_block_start', { type: 'content_block_start', index: this.block, content_block: start }]);
    return out;
  }

  private close(): [string, Json][] {
    if (this.blockKind === undefined) return [];
    this.blockKind = undefined;
    return [['content_block_stop', { type: 'content_block_stop', index: this.block }]];
  }

  chunk(payload: string): [string, Json][] {
    if (payload === '[DONE]') return this.finish();
    const c = JSON.parse(payload) as Json;
    const out: [string, Json][] = [];
    if (!this.started) {
      this.started = true;
      const usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
      out.push([
        'message_start',
        {
          type: 'message_start',
          message: {
            id: `msg_${str(c.id) ?? 'lava'}`,
            type: 'message',
            role: 'assistant',
            model: this.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage,
          },
        },
      ]);
    }
    if (c.usage) this.usage = obj(c.usage);
    const choice = obj(arr(c.choices)[0]);
    const delta = obj(choice.delta);
    if (str(delta.content)) {
      if (this.blockKind !== 'text') out.push(...this.open('text', { type: 'text', text: '' }));
      out.push([
        'content_block_delta',
        { type: 'content_block_delta', index: this.block, delta: { type: 'text_delta', text: delta.content } },
      ]);
    }
    for (const t of arr(delta.tool_calls)) {
      const tc = obj(t);
      const i = Number(tc.index ?? 0);
      const fn = obj(tc.function);
      if (!this.toolBlocks.has(i)) {
        out.push(...this.open('tool', { type: 'tool_use', id: tc.id, name: fn.name, input: {} }));
        this.toolBlocks.set(i, this.block);
      }
      if (str(fn.arguments))
        out.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index: this.toolBlocks.get(i),
            delta: { type: 'input_json_delta', partial_json: fn.arguments },
          },
        ]);
    }
    if (str(choice.finish_reason)) this.stopReason = STOP[str(choice.finish_reason)!] ?? 'end_turn';
    return out;
  }

  finish(): [string, Json][] {
    if (this.ended || !this.started) return [];
    this.ended = true;
    const u = openAiUsageToAnthropic(this.usage);
    return [
      ...this.close(),
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: this.stopReason ?? 'end_turn', stop_sequence: null },
          usage: {
            output_tokens: u.output_tokens,
            input_tokens: u.input_tokens,
            cache_read_input_tokens: u.cache_read_input_tokens,
          },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ];
  }
}
