/**
 * OpenAI and every OpenAI-compatible provider: Bearer auth, `usage` in chat completions,
 * Responses and embeddings bodies; streamed usage in the final chunk (chat, when
 * `stream_options.include_usage` is set) or in `response.completed` (Responses).
 */
import { emptyUsage, fromOpenAi } from '../usage.js';
import { sseMeter } from '../sse-meter.js';
import type { ApiStyle, ResponseFacts } from '../types.js';
import { asObject, stringField } from '../../lib/json.js';

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

export const openAiStyle: ApiStyle = {
  id: 'openai',
  authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
  requestInfo(body) {
    const b = asObject(body);
    return { model: stringField(b, 'model'), stream: b.stream === true };
  },
  readJson: readBody,
  streamMeter: () =>
    sseMeter((_event, data, facts) => {
      if (data === '[DONE]') return;
      // Parse only events that can carry something new: the first one (id, model) and usage carriers.
      if (facts.responseId && !data.includes('"usage":{')) return;
      const next = readBody(JSON.parse(data));
      if (next.usage) facts.usage = next.usage;
      facts.responseId ??= next.responseId;
      facts.model ??= next.model;
    }),
  errorBody: (_status, code, message) => ({
    error: { message, type: 'lava_desktop_error', param: null, code },
  }),
};
