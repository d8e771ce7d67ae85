/**
 * Anthropic Messages: `x-api-key` + `anthropic-version`. Usage in the body; when streamed,
 * `message_start` carries input and cache counts and every `message_delta` carries running
 * totals, so the latest value of each field wins (never summed). Under a budget the content
 * deltas are counted meanwhile, as the output reported before the end stays at 1.
 */
import { fromAnthropic } from '../usage.js';
import { sseMeter } from '../sse-meter.js';
import { OutputCount } from '../output-count.js';
import type { ApiStyle } from '../types.js';
import { asObject, stringField } from '../../lib/json.js';

export const anthropicStyle: ApiStyle = {
  id: 'anthropic',
  authHeaders: (key) => ({ 'x-api-key': key }),
  // Claude Code signed in with a Claude plan sends an OAuth access token (`sk-ant-oat…`) as a Bearer.
  isSubscription: (credential) => credential.startsWith('sk-ant-oat'),
  defaultHeaders: { 'anthropic-version': '2023-06-01' },
  requestInfo(body) {
    const b = asObject(body);
    return { model: stringField(b, 'model'), stream: b.stream === true };
  },
  readJson(body) {
    const b = asObject(body);
    return { usage: fromAnthropic(b.usage), responseId: stringField(b, 'id'), model: stringField(b, 'model') };
  },
  streamMeter: (_path, count) => {
    const output = new OutputCount(count);
    return sseMeter((event, data, facts) => {
      if (event === 'message_start') {
        const m = asObject(asObject(JSON.parse(data)).message);
        facts.responseId = stringField(m, 'id');
        facts.model = stringField(m, 'model');
        facts.usage = fromAnthropic(m.usage, facts.usage);
      } else if (event === 'message_delta') {
        facts.usage = fromAnthropic(asObject(JSON.parse(data)).usage, facts.usage);
        output.settle(facts);
      } else if (event === 'content_block_delta' && output.on) {
        // message_start's output count stays at 1 until the end: under a budget, count the deltas.
        const d = asObject(asObject(JSON.parse(data)).delta);
        output.add(facts, d.text ?? d.partial_json ?? d.thinking);
      }
    });
  },
  errorBody: (status, code, message) => ({
    type: 'error',
    error: { type: anthropicErrorType(status, code), message },
  }),
};

/** Anthropic's error types for the gateway's own errors: a budget is billing, a paused tool is rate limiting. */
function anthropicErrorType(status: number, code: string): string {
  if (code.startsWith('budget_')) return 'billing_error';
  if (status === 429) return 'rate_limit_error';
  return 'api_error';
}
