/**
 * OpenAI Responses API → chat-style providers: a Responses request becomes a chat request; the
 * chat answer (JSON or chunk payloads) becomes a Responses object or the Responses event sequence
 * (`response.created` … `response.completed`). Other providers are reached through the chat shape.
 */
import { asArray as arr, asObject as obj, asString as str, type Json } from '../lib/json.js';
import { unhandled, type Translated } from './shared.js';

/** `store` and `parallel_tool_calls` change nothing here; any other key not listed is named in a warning. */
const RESPONSES_TO_CHAT = [
  'model',
  'input',
  'instructions',
  'max_output_tokens',
  'temperature',
  'top_p',
  'stream',
  'tools',
  'tool_choice',
  'text',
  'store',
  'parallel_tool_calls',
];

function contentOf(content: unknown): unknown {
  if (typeof content === 'string') return content;
  const parts = arr(content).map((p) => {
    const part = obj(p);
    if (part.type === 'input_image')
      return { type: 'image_url', image_url: { url: str(part.image_url) ?? str(obj(part.image_url).url) } };
    return { type: 'text', text: str(part.text) ?? '' };
  });
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p as { text: string }).text).join('') : parts;
}

export function responsesToChat(req: Json, model: string): Translated {
  const warnings: string[] = [];
  const messages: Json[] = [];
  if (str(req.instructions)) messages.push({ role: 'system', content: req.instructions });
  if (typeof req.input === 'string') messages.push({ role: 'user', content: req.input });
  for (const raw of arr(req.input)) {
    const item = obj(raw);
    if (item.type === 'function_call') {
      const call = {
        id: item.call_id,
        type: 'function',
        function: { name: item.name, arguments: str(item.arguments) ?? '{}' },
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) last.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (item.type === 'function_call_output') {
      messages.push({
        role: 'tool',
        tool_call_id: item.call_id,
        content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output),
      });
    } else if (item.type === 'reasoning') {
      continue;
    } else if (item.role) {
      const role = item.role === 'developer' ? 'system' : item.role;
      messages.push({ role, content: contentOf(item.content) });
    }
  }
  const out: Json = { model, messages };
  if (req.max_output_tokens !== undefined) out.max_tokens = req.max_output_tokens;
  for (const k of ['temperature', 'top_p'] as const) if (req[k] !== undefined) out[k] = req[k];
  if (req.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  const tools = arr(req.tools).map(obj);
  const fnTools = tools.filter((t) => t.type === 'function');
  if (fnTools.length)
    out.tools = fnTools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  for (const t of tools.filter((x) => x.type !== 'function'))
    warnings.push(`tool ${String(t.type)} is a Responses built-in tool and was dropped`);
  const choice = req.tool_choice;
  if (typeof choice === 'string') out.tool_choice = choice;
  else if (obj(choice).type === 'function')
    out.tool_choice = { type: 'function', function: { name: obj(choice).name } };
  const format = obj(obj(req.text).format);
  if (format.type === 'json_object') out.response_format = { type: 'json_object' };
  else if (format.type === 'json_schema')
    out.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name, schema: format.schema, strict: format.strict },
    };
  warnings.push(...unhandled(req, RESPONSES_TO_CHAT, 'this provider through the Responses API'));
  return { body: out, warnings };
}

export function chatUsageToResponses(u: Json): Json {
  const input = Number(u.prompt_tokens ?? 0);
  const output = Number(u.completion_tokens ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: Number(obj(u.prompt_tokens_details).cached_tokens ?? 0) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: Number(obj(u.completion_tokens_details).reasoning_tokens ?? 0) },
    total_tokens: input + output,
  };
}

function responseObject(id: string, model: string, output: Json[], usage: Json | null, finish?: string): Json {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: finish === 'length' ? 'incomplete' : usage ? 'completed' : 'in_progress',
    ...(finish === 'length' ? { incomplete_details: { reason: 'max_output_tokens' } } : {}),
    model,
    output,
    usage,
  };
}

const messageItem = (text: string, status = 'completed'): Json => ({
  id: 'msg_lava_0',
  type: 'message',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const callItem = (c: { id: string; name: string; args: string }, status = 'completed'): Json => ({
  id: `fc_${c.id}`,
  type: 'function_call',
  status,
  call_id: c.id,
  name: c.name,
  arguments: c.args,
});

export function chatToResponse(res: Json, model: string): Json {
  const choice = obj(arr(res.choices)[0]);
  const message = obj(choice.message);
  const output: Json[] = [];
  if (str(message.content)) output.push(messageItem(message.content as string));
  for (const tc of arr(message.tool_calls)) {
    const fn = obj(obj(tc).function);
    output.push(callItem({ id: String(obj(tc).id), name: String(fn.name), args: str(fn.arguments) ?? '{}' }));
  }
  return responseObject(
    `resp_${str(res.id) ?? 'lava'}`,
    model,
    output,
    chatUsageToResponses(obj(res.usage)),
    str(choice.finish_reason),
  );
}

/** Chat chunk payloads → Responses stream events (`[type, data]`), ending with `response.completed`. */
export class ChatToResponsesStream {
  private seq = 0;
  private id = 'resp_lava';
  private started = false;
  private text: string | undefined;
  private readonly calls: { id: string; name: string; args: string; index: number }[] = [];
  private usage: Json | null = null;
  private finishReason: string | undefined;
  private done = false;

  constructor(private readonly model: string) {}

  private ev(type: string, data: Json): [string, Json] {
    return [type, { type, sequence_number: this.seq++, ...data }];
  }

  private outputIndex(kind: 'text' | number): number {
    return (this.text !== undefined ? 1 : 0) * (kind === 'text' ? 0 : 1) + (kind === 'text' ? 0 : kind);
  }

  chunk(payload: string): [string, Json][] {
    if (payload === '[DONE]') return this.finish();
    const c = JSON.parse(payload) as Json;
    const out: [string, Json][] = [];
    if (!this.started) {
      this.started = true;
      this.id = `resp_${str(c.id) ?? 'lava'}`;
      const r = responseObject(this.id, this.model, [], null);
      out.push(this.ev('response.created', { response: r }), this.ev('response.in_progress', { response: r }));
    }
    if (c.usage) this.usage = chatUsageToResponses(obj(c.usage));
    const choice = obj(arr(c.choices)[0]);
    const delta = obj(choice.delta);
    if (str(delta.content)) {
      if (this.text === undefined) {
        this.text = '';
        out.push(this.ev('response.output_item.added', { output_index: 0, item: messageItem('', 'in_progress') }));
        out.push(
          this.ev('response.content_part.added', {
            item_id: 'msg_lava_0',
            output_index: 0,
            content_index: 0,
            part: { type: 'output_text', text: '', annotations: [] },
          }),
        );
      }
      this.text += delta.content as string;
      out.push(
        this.ev('response.output_text.delta', {
          item_id: 'msg_lava_0',
          output_index: 0,
          content_index: 0,
          delta: delta.content,
        }),
      );
    }
    for (const t of arr(delta.tool_calls)) {
      const tc = obj(t);
      const index = Number(tc.index ?? 0);
      let call = this.calls.find((x) => x.index === index);
      if (!call) {
        call = { id: String(tc.id), name: String(obj(tc.function).name), args: '', index };
        this.calls.push(call);
        out.push(
          this.ev('response.output_item.added', {
            output_index: this.outputIndex(this.calls.length - 1),
            item: callItem(call, 'in_progress'),
          }),
        );
      }
      const piece = str(obj(tc.function).arguments) ?? '';
      if (piece) {
        call.args += piece;
        out.push(
          this.ev('response.function_call_arguments.delta', {
            item_id: `fc_${call.id}`,
            output_index: this.outputIndex(this.calls.indexOf(call)),
            delta: piece,
          }),
        );
      }
    }
    if (str(choice.finish_reason)) this.finishReason = choice.finish_reason as string;
    return out;
  }

  finish(): [string, Json][] {
    if (this.done || !this.started) return [];
    this.done = true;
    const out: [string, Json][] = [];
    const output: Json[] = [];
    if (this.text !== undefined) {
      const part = { type: 'output_text', text: this.text, annotations: [] };
      out.push(
        this.ev('response.output_text.done', {
          item_id: 'msg_lava_0',
          output_index: 0,
          content_index: 0,
          text: this.text,
        }),
      );
      out.push(
        this.ev('response.content_part.done', { item_id: 'msg_lava_0', output_index: 0, content_index: 0, part }),
      );
      out.push(this.ev('response.output_item.done', { output_index: 0, item: messageItem(this.text) }));
      output.push(messageItem(this.text));
    }
    for (const [i, c] of this.calls.entries()) {
      out.push(
        this.ev('response.function_call_arguments.done', {
          item_id: `fc_${c.id}`,
          output_index: this.outputIndex(i),
          arguments: c.args,
        }),
      );
      out.push(this.ev('response.output_item.done', { output_index: this.outputIndex(i), item: callItem(c) }));
      output.push(callItem(c));
    }
    const final = responseObject(
      this.id,
      this.model,
      output,
      this.usage ?? chatUsageToResponses({}),
      this.finishReason,
    );
    out.push(
      this.ev(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final }),
    );
    return out;
  }
}
