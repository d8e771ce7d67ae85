/**
 * Gemini native API: `x-goog-api-key` (or `?key=`). Usage in `usageMetadata`; a stream
 * (`?alt=sse`, or a JSON array sent piece by piece) repeats running totals, so the last wins.
 */
import { fromGemini } from '../usage.js';
import { jsonArrayMeter, sseMeter } from '../sse-meter.js';
import type { ApiStyle, ResponseFacts } from '../types.js';
import { asObject, stringField } from '../../lib/json.js';

function readChunk(item: unknown, facts: ResponseFacts): void {
  const o = asObject(item);
  const usage = fromGemini(o.usageMetadata);
  if (usage) facts.usage = usage;
  facts.responseId ??= stringField(o, 'responseId');
  facts.model ??= stringField(o, 'modelVersion');
}

export const googleStyle: ApiStyle = {
  id: 'google',
  authHeaders: (key) => ({ 'x-goog-api-key': key }),
  requestInfo(_body, path) {
    const m = /\/models\/([^/:?]+):(\w+)/.exec(path);
    return { model: m?.[1], stream: m?.[2] === 'streamGenerateContent' };
  },
  readJson(body) {
    const facts: ResponseFacts = {};
    readChunk(body, facts);
    return facts;
  },
  streamMeter(path) {
    if (/[?&]alt=sse\b/.test(path)) return sseMeter((_e, data, facts) => readChunk(JSON.parse(data), facts));
    return jsonArrayMeter(readChunk);
  },
  errorBody: (status, code, message) => ({
    error: { code: status, message, status: code.toUpperCase() },
  }),
};
