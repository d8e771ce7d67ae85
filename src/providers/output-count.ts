/**
 * A stream's output counted as it arrives, for budgets (PRODUCT.md §14): the meter hands each
 * delta's text here once, it is counted with the tokenizer the gateway passed in, and the total
 * is the running estimate in the meter's facts — until the provider's own final usage arrives
 * and replaces it (reconciled: from then on the count is dropped).
 */
import type { ResponseFacts, TokenCount } from './types.js';

export class OutputCount {
  private final = false;

  constructor(private readonly count: TokenCount | undefined) {}

  /** True when this stream's output is being counted (a budget may cut it). */
  get on(): boolean {
    return this.count !== undefined;
  }

  add(facts: ResponseFacts, text: unknown): void {
    if (!this.count || this.final || typeof text !== 'string' || text === '') return;
    facts.outputSoFar = (facts.outputSoFar ?? 0) + (this.count(text) ?? 0);
  }

  /** The provider reported its final usage: it wins over the count. */
  settle(facts: ResponseFacts): void {
    this.final = true;
    delete facts.outputSoFar;
  }
}
