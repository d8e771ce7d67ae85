/**
 * A request's worst-case cost, for its budget reservation (PRODUCT.md §14): its input tokens,
 * counted from the body with the tokenizer (loaded on first use), and the output it may still
 * produce — min(the `max_tokens` it asks for, `budgets.reserveOutputTokens`) — at its model's
 * prices. Undefined when the model has no known prices.
 */
import { emptyUsage } from '../providers/usage.js';
import { priceOf } from '../prices/cost.js';
import { collectText } from './estimate.js';
import { loadTokenizer } from './tokenizer.js';
import type { Exchange } from './exchange.js';

/** Where each API puts the most output a request may produce. */
function maxOutput(json: Record<string, unknown>): number | undefined {
  const gen = json.generationConfig as Record<string, unknown> | undefined;
  for (const v of [json.max_tokens, json.max_completion_tokens, json.max_output_tokens, gen?.maxOutputTokens])
    if (typeof v === 'number' && v > 0) return v;
  return undefined;
}

export async function worstCase(ex: Exchange, reserveOutputTokens: number): Promise<number | undefined> {
  const model = ex.info.model;
  if (!model || !ex.route) return undefined;
  let json: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(ex.body?.toString('utf8') ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // not JSON (a form): no text to count
  }
  const countTokens = await loadTokenizer();
  const input = countTokens(collectText(json).join('\n'));
  const output = Math.min(maxOutput(json) ?? reserveOutputTokens, reserveOutputTokens);
  ex.inputTokens = input;
  const usage = { ...emptyUsage(), input_tokens: input, output_tokens: output, total_tokens: input + output };
  const price = priceOf(ex.route.providerKey, model, usage, ex.init.startedAt);
  return price.cost === undefined ? undefined : Number(price.cost);
}
