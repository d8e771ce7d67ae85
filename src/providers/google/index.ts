/**
 * Gemini native API: `x-goog-api-key` (or `?key=`). Usage in `usageMetadata`; a stream
 * (`?alt=sse`, or a JSON array sent piece by piece) repeats running totals, so the last wins;
 * under a budget the parts' text is counted too, for chunks that report none.
 */
import { fromGemini } from '../usage.js';
import { jsonArrayMeter, sseMeter } from '../sse-meter.js';
import type { ApiStyle, ResponseFacts } from '../types.js';
import { OutputCount } from '../output-count.js';
import { asArray, asObject, stringField } from '../../lib/json.js';

function readChunk(item: unknown, facts: ResponseFacts, output?: OutputCount): void {
  const o = asObject(item);
  const usage = fromGemini(o.usageMetadata);
  if (usage) facts.usage = usage;
  facts.responseId ??= stringField(o, 'responseId');
  facts.model ??= stringField(o, 'modelVersion');
  if (!output?.on) return;
  // Some chunks carry no usageMetadata (or only the last does): under a budget, count the parts' text.
  const candidates = asArray(o.candidates);
  for (const c of candidates)
    for (const part of asArray(asObject(asObject(c).content).parts)) {
      const p = asObject(part);
      output.add(facts, p.text ?? (p.functionCall ? JSON.stringify(p.functionCall) : undefined));
    }
  if (usage && candidates.some((c) => asObject(c).finishReason)) output.settle(facts);
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
  streamMeter(path, count) {
    const output = new OutputCount(count);
    if (/[?&]alt=sse\b/.test(path)) return sseMeter((_e, data, facts) => readChunk(JSON.parse(data), facts, output));
    return jsonArrayMeter((item, facts) => readChunk(item, facts, output));
  },
  errorBody: (status, code, message) => ({
    error: { code: status, message, status: code.toUpperCase() },
  }),
};
