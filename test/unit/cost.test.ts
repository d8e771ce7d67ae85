/** Costs come from @pydantic/genai-prices: priceOf equals calcPrice, tiers included; unknown stays unknown. */
import { describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { priceOf } from '../../src/prices/cost.js';
import { emptyUsage } from '../../src/providers/usage.js';

describe('priceOf', () => {
  it('equals calcPrice on first and repeated calls, for several providers and usages', () => {
    const cases: [string, string, string][] = [
      ['openai', 'openai', 'gpt-4o-mini'],
      ['anthropic', 'anthropic', 'claude-sonnet-4-5'],
      ['google', 'google', 'gemini-2.5-pro'],
      ['googleOpenaiCompatible', 'google', 'gemini-2.5-flash'],
      ['groq', 'groq', 'llama-3.3-70b-versatile'],
    ];
    const at = new Date();
    for (const [key, providerId, model] of cases) {
      for (const [input, output, cached] of [
        [1000, 200, 0],
        [250_000, 1000, 100_000], // past Gemini 2.5 Pro's 200k tier
        [10, 5, 0],
      ] as const) {
        const usage = { ...emptyUsage(), input_tokens: input, output_tokens: output, cache_read_tokens: cached };
        const expected = calcPrice(
          { input_tokens: input, output_tokens: output, cache_read_tokens: cached || undefined },
          model,
          { providerId, timestamp: at },
        );
        expect(expected, `${key}/${model}`).not.toBeNull();
        for (let i = 0; i < 2; i++)
          expect(priceOf(key, model, usage, at)).toEqual({
            cost: expected!.total_price.toFixed(10),
            costSource: 'prices',
          });
      }
    }
  });

  it('an unknown model or provider is unknown, every time', () => {
    for (let i = 0; i < 2; i++) {
      expect(priceOf('openai', 'no-such-model-xyz', emptyUsage(), new Date())).toEqual({ costSource: 'unknown' });
      expect(priceOf('nebius', 'gpt-4o-mini', emptyUsage(), new Date())).toEqual({ costSource: 'unknown' });
    }
  });
});
