/**
 * Cost of a request from `@pydantic/genai-prices` (bundled price data, no network). A model the
 * price data does not know is `unknown`, never $0.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { emptyUsage, type Usage } from '../providers/usage.js';
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

/**
 * What prompt caching saved on these tokens at the model's prices (PRODUCT.md §13): cache reads
 * at the input price minus what they cost, less the premium cache writes paid over plain input.
 * 0 when the price data does not know the model.
 */
export function cacheSavings(
  providerKey: string,
  model: string,
  cached: { read: number; write: number },
  at: Date,
): number {
  const cost = (usage: Usage) => Number(priceOf(providerKey, model, usage, at).cost ?? NaN);
  const base = { ...emptyUsage(), output_tokens: 0 };
  let saved = 0;
  if (cached.read > 0) {
    const plain = cost({ ...base, input_tokens: cached.read });
    const read = cost({ ...base, input_tokens: cached.read, cache_read_tokens: cached.read });
    if (Number.isFinite(plain) && Number.isFinite(read)) saved += plain - read;
  }
  if (cached.write > 0) {
    const plain = cost({ ...base, input_tokens: cached.write });
    const write = cost({ ...base, input_tokens: cached.write, cache_write_tokens: cached.write });
    if (Number.isFinite(plain) && Number.isFinite(write)) saved -= write - plain;
  }
  return saved;
}
