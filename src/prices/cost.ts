/**
 * Cost of a request from `@pydantic/genai-prices` (bundled price data, no network). A model the
 * price data does not know is `unknown`, never $0.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Usage } from '../providers/usage.js';
import { priceProviderId } from '../providers/table.js';
import { money } from '../lib/money.js';

// The package does not export its package.json; read it beside its entry point.
const require = createRequire(import.meta.url);
const pricesPkg = JSON.parse(
  readFileSync(join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json'), 'utf8'),
) as { version: string };

/** Identifies the price data a cost was computed with; stored on every record. */
export const PRICES_VERSION = `genai-prices@${pricesPkg.version}`;

export interface CostResult {
  cost?: string;
  costSource: 'prices' | 'unknown';
}

/** Our usage in the library's terms (its usage keys: cache and audio are parts of the input). */
function priceUsage(usage: Usage): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_tokens: usage.cache_read_tokens || undefined,
    cache_write_tokens: usage.cache_write_tokens || undefined,
    input_audio_tokens: usage.audio_tokens || undefined,
  };
  if (usage.seconds) {
    out.audio_seconds = usage.seconds;
    out.input_audio_seconds = usage.seconds;
  }
  return out;
}

export function priceOf(
  providerKey: string,
  model: string | undefined,
  usage: Usage | undefined,
  at: Date,
): CostResult {
  if (!model || !usage) return { costSource: 'unknown' };
  let result: ReturnType<typeof calcPrice> = null;
  try {
    result = calcPrice(priceUsage(usage), model, { providerId: priceProviderId(providerKey), timestamp: at });
  } catch {
    result = null;
  }
  if (!result) return { costSource: 'unknown' };
  return { cost: money(result.total_price), costSource: 'prices' };
}
