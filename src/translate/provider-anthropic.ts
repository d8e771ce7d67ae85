/**
 * The hub (OpenAI chat) to an Anthropic Messages provider, as pure functions: the chat request as
 * a Messages request, the Messages answer and stream events back as chat. Parameters Anthropic
 * cannot honour are dropped and named in `warnings`, never silently changed in meaning.
 */
import { asArray as arr, asObject as obj, asString as str, type Json } from '../lib/json.js';
import { parseArguments, unhandled, type Translated } from './shared.js';

/** Anthropic requires max_tokens; OpenAI clients often omit it. */
export const DEFAULT_MAX_TOKENS = 4096;

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
