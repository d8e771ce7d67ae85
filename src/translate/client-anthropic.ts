/**
 * An Anthropic Messages client through the hub (OpenAI chat), as pure functions: its request as a
 * chat request, the chat answer and stream back as Messages. Parameters the chat shape cannot
 * carry are dropped and named in `warnings`.
 */
import { asArray as arr, asObject as obj, asString as str, type Json } from '../lib/json.js';
import { parseArguments, unhandled, type Translated } from './shared.js';

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

export function messagesToChat(req: Json, model: string): Translated {
  const warnings: string[] = [];
  const system = systemText(req.system);
  const messages: Json[] = system ? [{ role: 'system', content: system }] : [];
  for (const raw of arr(req.messages)) messages.push(...chatMessages(obj(raw)));
  const out: Json = { model, messages };
  if (req.max_tokens !== undefined) out.max_tokens = req.max_tokens;
  for (const k of ['temperature', 'top_p', 'stream'] as const) if (req[k] !== undefined) out[k] = req[k];
  if (req.stream === true) out.stream_options = { include_usage: true };
  if (req.stop_sequences !== undefined) out.stop = req.stop_sequences;
  if (Array.isArray(req.tools)) {
    const tools = req.tools.map(obj);
    out.tools = tools.filter(isCustomTool).map(chatTool);
    for (const t of tools.filter((t) => !isCustomTool(t)))
      warnings.push(`tool ${String(t.name ?? t.type)} is an Anthropic server tool and was dropped`);
  }
  const choice = chatToolChoice(obj(req.tool_choice));
  if (choice !== undefined) out.tool_choice = choice;
  warnings.push(...unhandled(req, MESSAGES_TO_CHAT, 'OpenAI-compatible APIs'));
  return { body: out, warnings };
}

const systemText = (system: unknown): string =>
  typeof system === 'string'
    ? system
    : arr(system)
        .map((b) => str(obj(b).text) ?? '')
        .join('\n\n');

const textOfBlocks = (blocks: unknown): string =>
  typeof blocks === 'string'
    ? blocks
    : arr(blocks)
        .map((c) => str(obj(c).text) ?? '')
        .join('');

/** One Anthropic message as chat messages (tool results become `tool` messages of their own). */
function chatMessages(m: Json): Json[] {
  const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : arr(m.content).map(obj);
  if (m.role === 'assistant') {
    const text = textOfBlocks(blocks.filter((b) => b.type === 'text'));
    const calls = blocks
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({
        id: b.id,
        type: 'function',
        function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) },
      }));
    return [{ role: 'assistant', content: text || null, ...(calls.length ? { tool_calls: calls } : {}) }];
  }
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const b of blocks) {
    if (b.type === 'tool_result')
      out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: textOfBlocks(b.content) });
    else if (b.type === 'image') parts.push(imageUrlPart(obj(b.source)));
    else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
  }
  if (parts.length)
    out.push({
      role: 'user',
      content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts,
    });
  return out;
}

const imageUrlPart = (src: Json): Json => ({
  type: 'image_url',
  image_url: { url: src.type === 'base64' ? `data:${str(src.media_type)};base64,${str(src.data)}` : str(src.url) },
});

/** Custom tools carry an input schema; server tools (web_search …) only a type. */
const isCustomTool = (t: Json): boolean => t.input_schema !== undefined || t.type === undefined || t.type === 'custom';

const chatTool = (t: Json): Json => ({
  type: 'function',
  function: { name: t.name, description: t.description, parameters: t.input_schema },
});

function chatToolChoice(choice: Json): unknown {
  if (choice.type === 'auto') return 'auto';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  return undefined;
}

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
