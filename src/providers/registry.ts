/**
 * The registry: API styles by id, and the providers of the running gateway (table rows merged
 * with config, custom providers added). A duplicate key is refused at start-up.
 */
import type { ApiStyle, Provider, ProviderRow, StyleId } from './types.js';
import { PROVIDER_TABLE } from './table.js';
import { openAiStyle } from './openai/index.js';
import { anthropicStyle } from './anthropic/index.js';
import { googleStyle } from './google/index.js';
import { elevenLabsStyle } from './elevenlabs/index.js';

export const STYLES: Readonly<Record<StyleId, ApiStyle>> = {
  openai: openAiStyle,
  anthropic: anthropicStyle,
  google: googleStyle,
  elevenlabs: elevenLabsStyle,
};

export interface ProviderConfig {
  mode?: 'direct' | 'lava';
  apiKey?: string;
  origin?: string;
  byok?: boolean;
  replaceSubscription?: boolean;
  style?: StyleId;
  authHeader?: string;
}

/** Keys that would collide with the gateway's own routes. */
const RESERVED = new Set(['v1', 'api', 'mcp', 'healthz', 'assets']);

export function buildProviders(
  configs: Readonly<Record<string, ProviderConfig>>,
  defaultMode: 'direct' | 'lava',
  table: readonly ProviderRow[] = PROVIDER_TABLE,
): Map<string, Provider> {
  const out = new Map<string, Provider>();
  for (const row of table) {
    if (out.has(row.key)) throw new Error(`duplicate provider key "${row.key}" in the provider table`);
    out.set(row.key, makeProvider(row.key, row.style, row.base, configs[row.key], defaultMode, true));
  }
  for (const [key, cfg] of Object.entries(configs)) {
    if (out.has(key)) continue;
    if (RESERVED.has(key)) throw new Error(`providers.${key}: "${key}" is a reserved route name`);
    if (!cfg.origin) throw new Error(`providers.${key}: a custom provider needs an "origin" URL`);
    out.set(key, makeProvider(key, cfg.style ?? 'openai', cfg.origin, cfg, defaultMode, false));
  }
  return out;
}

function makeProvider(
  key: string,
  style: StyleId,
  base: string,
  cfg: ProviderConfig | undefined,
  defaultMode: 'direct' | 'lava',
  builtIn: boolean,
): Provider {
  const baseUrl = new URL(base);
  const origin = cfg?.origin ? new URL(cfg.origin) : new URL(baseUrl.origin);
  return {
    key,
    style: STYLES[style],
    base: baseUrl,
    documented: builtIn ? new URL(baseUrl.origin) : origin,
    origin,
    customOrigin: Boolean(cfg?.origin),
    builtIn,
    mode: cfg?.mode ?? defaultMode,
    apiKey: cfg?.apiKey,
    byok: cfg?.byok ?? false,
    replaceSubscription: cfg?.replaceSubscription ?? false,
    authHeader: cfg?.authHeader,
  };
}

/**
 * The provider whose documented base URL best matches an absolute upstream URL (longest base
 * path prefix on the same host), for `/v1/forward?u=`.
 */
export function providerForUrl(providers: Map<string, Provider>, url: URL): Provider | undefined {
  let best: Provider | undefined;
  let bestLen = -1;
  for (const p of providers.values()) {
    if (p.base.host !== url.host || p.base.protocol !== url.protocol) continue;
    const basePath = p.base.pathname.replace(/\/$/, '');
    const fits = url.pathname === basePath || url.pathname.startsWith(basePath + '/');
    const len = fits ? basePath.length : 0;
    if (len > bestLen) {
      best = p;
      bestLen = len;
    }
  }
  return best;
}
