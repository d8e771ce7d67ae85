/**
 * Token estimates for responses that report no usage (an OpenAI-compatible stream without
 * `include_usage` when injection is off, servers that omit `usage`). Counts the text of the
 * request and of the response with `gpt-tokenizer` (o200k encoding), loaded only when needed.
 */
import { emptyUsage, type Usage } from '../providers/usage.js';

const TEXT_KEYS = new Set([
  'content',
  'text',
  'arguments',
  'output_text',
  'refusal',
  'input',
  'prompt',
  'system',
  'instructions',
]);

/** Every string found under a text-bearing key, anywhere in a JSON value. */
export function collectText(value: unknown, out: string[] = [], underTextKey = false): string[] {
  if (typeof value === 'string') {
    if (underTextKey) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectText(v, out, underTextKey);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      collectText(v, out, TEXT_KEYS.has(k) || (underTextKey && k === 'parts'));
  }
  return out;
}

/** Text of a response body: one JSON document, or the `data:` events of an SSE stream. */
export function responseText(body: string): string[] {
  const trimmed = body.trimStart();
  const docs: unknown[] = [];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      docs.push(JSON.parse(trimmed));
    } catch {
      // not one JSON document
    }
  } else {
    for (const line of body.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      try {
        docs.push(JSON.parse(line.slice(5)));
      } catch {
        // [DONE] and other non-JSON data lines
      }
    }
  }
  return docs.flatMap((d) => collectText(d));
}

export async function estimateUsage(requestBody: string | undefined, response: string): Promise<Usage | undefined> {
  const { countTokens } = await import('gpt-tokenizer');
  let requestJson: unknown;
  try {
    requestJson = requestBody ? JSON.parse(requestBody) : undefined;
  } catch {
    requestJson = undefined;
  }
  // Stream deltas are pieces of one text: count them joined, as the model produced them.
  const input = countTokens(collectText(requestJson).join('\n'));
  const output = countTokens(responseText(response).join(''));
  if (input === 0 && output === 0) return undefined;
  return { ...emptyUsage(), input_tokens: input, output_tokens: output, total_tokens: input + output };
}
