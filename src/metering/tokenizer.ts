/**
 * The tokenizer (`gpt-tokenizer`, o200k), loaded once on first need and then usable at once:
 * budget reservations count a request's input with it, and a stream's meter counts output deltas
 * with it while the provider has reported no usage yet.
 */
type Count = (text: string) => number;

let count: Count | undefined;
let loading: Promise<Count> | undefined;

/** Loads the tokenizer (once) and returns its counter. */
export function loadTokenizer(): Promise<Count> {
  return (loading ??= import('gpt-tokenizer').then((m) => (count = m.countTokens)));
}

/** Counts at once if the tokenizer is loaded; undefined otherwise (callers load it first when they must count). */
export const countNow = (text: string): number | undefined => count?.(text);
