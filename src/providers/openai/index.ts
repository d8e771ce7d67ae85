/**
 * OpenAI and every OpenAI-compatible provider: Bearer auth, `usage` in chat completions,
 * Responses and embeddings bodies; streamed usage in the final chunk (chat, when
 * `stream_options.include_usage` is set) or in `response.completed` (Responses). Under a budget
 * the stream's output is counted from its deltas until that final usage arrives.
 */
import { emptyUsage, fromOpenAi } from '../usage.js';
import { sseMeter } from '../sse-meter.js';
import type { ApiStyle, ResponseFacts } from '../types.js';
import { OutputCount } from '../output-count.js';
import { asArray, asObject, stringField } from '../../lib/json.js';

function readBody(body: unknown): ResponseFacts {
  const b = asObject(body);
  // Responses API events wrap the response object.
  const target = b.response && typeof b.response === 'object' ? asObject(b.response) : b;
  const facts: ResponseFacts = {};
  const usage = fromOpenAi(target.usage);
  if (usage) facts.usage = usage;
  // A verbose transcription without `usage` still says how long the audio was.
  else if (typeof target.duration === 'number' && typeof target.text === 'string')
    facts.usage = { ...emptyUsage(), seconds: target.duration };
  const id = stringField(target, 'id');
  if (id) facts.responseId = id;
  const model = stringField(target, 'model');
  if (model) facts.model = model;
  return facts;
}

/**
 * The output text a stream event carries: a chat chunk's content, refusal, reasoning and tool-call
 * arguments, or a Responses `*.delta` event's text (not `response.audio.delta`: base64 audio).
 */
function countDeltas(b: Record<string, unknown>, output: OutputCount, facts: ResponseFacts): void {
  if (typeof b.type === 'string') {
    if (b.type.endsWith('.delta') && b.type !== 'response.audio.delta') output.add(facts, b.delta);
    return;
  }
  for (const choice of asArray(b.choices)) {
    const d = asObject(asObject(choice).delta);
    for (const k of ['content', 'refusal', 'reasoning', 'reasoning_content']) output.add(facts, d[k]);
    for (const call of asArray(d.tool_calls)) {
      const fn = asObject(asObject(call).function);
      output.add(facts, fn.name);
      output.add(facts, fn.arguments);
    }
  }
}

export const openAiStyle: ApiStyle = {
  id: 'openai',
  authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
  requestInfo(body) {
    const b = asObject(body);
    return { model: stringField(b, 'model'), stream: b.stream === true };
  },
  readJson: readBody,
  streamMeter: (_path, count) => {
    const output = new OutputCount(count);
    return sseMeter((_event, data, facts) => {
      if (data === '[DONE]') return;
      // Parse only events that can carry something new: the first one (id, model), usage carriers,
      // and — when the output is counted — deltas.
      const usage = data.includes('"usage":{');
      if (facts.responseId && !usage && !(output.on && data.includes('"delta'))) return;
      const json = asObject(JSON.parse(data));
      const next = readBody(json);
      if (next.usage) {
        facts.usage = next.usage;
        output.settle(facts);
      } else if (output.on) countDeltas(json, output, facts);
      facts.responseId ??= next.responseId;
      facts.model ??= next.model;
    });
  },
  errorBody: (_status, code, message) => ({
    error: { message, type: 'lava_desktop_error', param: null, code },
  }),
};
