/**
 * OpenAI chat completions ⇄ Gemini generateContent, as pure functions (requests, JSON responses,
 * stream chunks). Anthropic clients reach Gemini through the chat shape (two steps).
 */
import { asArray as arr, asObject as obj, asString as str, type Json } from '../lib/json.js';
import { parseArguments, unhandled, type Translated } from './shared.js';

const CHAT_TO_GEMINI = [
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'response_format',
  'n',
  'tools',
  'tool_choice',
  'stream',
  'stream_options',
];

function parts(content: unknown): Json[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return arr(content).map((p) => {
    const part = obj(p);
    if (part.type === 'image_url') {
      const url = str(obj(part.image_url).url) ?? '';
      const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
      return m ? { inlineData: { mimeType: m[1], data: m[2] } } : { fileData: { fileUri: url } };
    }
    return { text: str(part.text) ?? '' };
  });
}

export function chatToGemini(req: Json): Translated {
  const warnings: string[] = [];
  const contents: Json[] = [];
  const system: string[] = [];
  const names = new Map<string, string>(); // tool_call id → function name (Gemini answers by name)
  const push = (role: 'user' | 'model', ps: Json[]) => {
    const last = contents.at(-1);
    if (last && last.role === role) (last.parts as Json[]).push(...ps);
    else contents.push({ role, parts: ps });
  };
  for (const raw of arr(req.messages)) {
    const m = obj(raw);
    if (m.role === 'system' || m.role === 'developer')
      system.push(
        typeof m.content === 'string'
          ? m.content
          : arr(m.content)
              .map((p) => str(obj(p).text) ?? '')
              .join(''),
      );
    else if (m.role === 'user') push('user', parts(m.content));
    else if (m.role === 'assistant') {
      const ps = parts(m.content);
      for (const tc of arr(m.tool_calls)) {
        const fn = obj(obj(tc).function);
        names.set(String(obj(tc).id), String(fn.name));
        const args = parseArguments(fn.arguments);
        ps.push({ functionCall: { name: fn.name, args } });
      }
      push('model', ps);
    } else if (m.role === 'tool') {
      const content =
        typeof m.content === 'string'
          ? m.content
          : arr(m.content)
              .map((p) => str(obj(p).text) ?? '')
              .join('');
      push('user', [
        { functionResponse: { name: names.get(String(m.tool_call_id)) ?? 'tool', response: { content } } },
      ]);
    }
  }
  const out: Json = { contents };
  if (system.length) out.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const gen: Json = {};
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.top_p !== undefined) gen.topP = req.top_p;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) gen.maxOutputTokens = max;
  if (req.stop !== undefined) gen.stopSequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  const rf = obj(req.response_format);
  if (rf.type === 'json_object') gen.responseMimeType = 'application/json';
  else if (rf.type === 'json_schema') {
    gen.responseMimeType = 'application/json';
    gen.responseSchema = obj(rf.json_schema).schema;
  }
  if (req.n !== undefined && req.n !== 1) gen.candidateCount = req.n;
  if (Object.keys(gen).length) out.generationConfig = gen;
  if (Array.isArray(req.tools)) {
    out.tools = [
      {
        functionDeclarations: req.tools
          .map((t) => obj(obj(t).function))
          .map((f) => ({ name: f.name, description: f.description, parameters: f.parameters })),
      },
    ];
  }
  const choice = req.tool_choice;
  if (choice === 'none') out.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
  else if (choice === 'required') out.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
  else if (choice === 'auto') out.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
  else if (choice && typeof choice === 'object')
    out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [obj(obj(choice).function).name] } };
  warnings.push(...unhandled(req, CHAT_TO_GEMINI, 'Gemini'));
  return { body: out, warnings };
}

const FINISH: Record<string, string> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
};

export function geminiUsageToOpenAi(u: Json): Json {
  const prompt = Number(u.promptTokenCount ?? 0) + Number(u.toolUsePromptTokenCount ?? 0);
  const completion = Number(u.candidatesTokenCount ?? 0) + Number(u.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: Number(u.cachedContentTokenCount ?? 0) },
    completion_tokens_details: { reasoning_tokens: Number(u.thoughtsTokenCount ?? 0) },
  };
}

/** Text and function calls of the first candidate, and its finish reason (OpenAI's names). */
function candidate(res: Json, callOffset = 0): { text: string; calls: Json[]; finish?: string } {
  const c = obj(arr(res.candidates)[0]);
  let text = '';
  const calls: Json[] = [];
  for (const p of arr(obj(c.content).parts)) {
    const part = obj(p);
    if (typeof part.text === 'string' && !part.thought) text += part.text;
    if (part.functionCall) {
      const fc = obj(part.functionCall);
      calls.push({
        index: callOffset + calls.length,
        id: `call_${callOffset + calls.length}_${String(fc.name)}`,
        type: 'function',
        function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) },
      });
    }
  }
  const reason = str(c.finishReason);
  return { text, calls, finish: reason ? (calls.length ? 'tool_calls' : (FINISH[reason] ?? 'stop')) : undefined };
}

export function geminiResponseToChat(res: Json, model: string): Json {
  const { text, calls, finish } = candidate(res);
  const message: Json = { role: 'assistant', content: text || (calls.length ? null : ''), refusal: null };
  if (calls.length) message.tool_calls = calls.map(({ index: _i, ...c }) => c);
  return {
    id: `chatcmpl-${str(res.responseId) ?? 'gemini'}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish ?? 'stop' }],
    usage: geminiUsageToOpenAi(obj(res.usageMetadata)),
  };
}

/** Gemini stream chunks (each a GenerateContentResponse) → OpenAI chunk payloads. */
export class GeminiToChatStream {
  private started = false;
  private calls = 0;
  private usage: Json = {};
  private id = 'chatcmpl-gemini';
  private finished = false;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Json, finish: string | null = null): string {
    return JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  chunkOf(data: Json): string[] {
    const out: string[] = [];
    if (!this.started) {
      this.started = true;
      this.id = `chatcmpl-${str(data.responseId) ?? 'gemini'}`;
      out.push(this.chunk({ role: 'assistant', content: '' }));
    }
    if (data.usageMetadata) this.usage = obj(data.usageMetadata);
    const { text, calls, finish } = candidate(data, this.calls);
    this.calls += calls.length;
    if (text) out.push(this.chunk({ content: text }));
    if (calls.length) out.push(this.chunk({ tool_calls: calls }));
    if (finish) {
      this.finished = true;
      out.push(this.chunk({}, this.calls > 0 ? 'tool_calls' : finish));
    }
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    if (!this.finished && this.started) out.push(this.chunk({}, 'stop'));
    if (this.includeUsage)
      out.push(
        JSON.stringify({
          id: this.id,
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: this.model,
          choices: [],
          usage: geminiUsageToOpenAi(this.usage),
        }),
      );
    out.push('[DONE]');
    return out;
  }
}
