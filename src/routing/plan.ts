/**
 * The unified endpoints (`POST /v1/chat/completions`, `/v1/embeddings`, `/v1/responses` in
 * OpenAI's shapes, `/v1/messages` and its `count_tokens` in Anthropic's) and Lava's rewrite
 * endpoint: which provider (by model, or by the URL), which of its paths, and the translation
 * between the client's API and the provider's (translate/registry.ts). The result is an ordinary
 * route plus what to do with the response.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../lib/errors.js';
import type { Json } from '../lib/json.js';
import { providerForUrl, STYLES } from '../providers/registry.js';
import type { ApiStyle, Provider, StyleId } from '../providers/types.js';
import type { Route, Translation } from '../pipeline/types.js';
import { translate, type ClientApi } from '../translate/registry.js';
import { providerRoute, type RouteTable } from './resolve.js';
import { routeModel } from './models.js';

export type { Translation } from '../pipeline/types.js';

export const UNIFIED_PATHS: Record<string, 'openai' | 'anthropic'> = {
  '/v1/chat/completions': 'openai',
  '/v1/embeddings': 'openai',
  '/v1/messages': 'anthropic',
  '/v1/messages/count_tokens': 'anthropic',
  '/v1/responses': 'openai',
};

export const REWRITE_PREFIX = '/v1/rewrite/';

export interface UnifiedPlan {
  route: Route;
  body: Json;
  warnings: string[];
  clientStyle: ApiStyle;
  translation?: Translation;
  /** Answered by the gateway itself (token counting for a provider that has no such call). */
  local?: 'count_tokens';
}

/** What a plan is made of: the client's API, the provider, its path, the model. */
interface Want {
  client: ClientApi;
  provider: Provider;
  path: string;
  model: string;
  req: Json;
}

/** The API a client speaks on a unified or rewrite path (POST only), if the path is one. */
export function unifiedClient(method: string | undefined, path: string): StyleId | undefined {
  if (method !== 'POST') return undefined;
  if (UNIFIED_PATHS[path]) return UNIFIED_PATHS[path];
  if (!path.startsWith(REWRITE_PREFIX)) return undefined;
  const format = path.slice(REWRITE_PREFIX.length).split('/')[0]!;
  return format === 'anthropic' || format === 'google' ? format : 'openai';
}

export function planUnified(path: string, json: unknown, headers: IncomingHttpHeaders, table: RouteTable): UnifiedPlan {
  const req = (json ?? {}) as Json;
  const { provider, model } = routeModel(req.model, table);
  const base = provider.base.pathname.replace(/\/$/, '');
  const stream = req.stream === true;
  if (path === '/v1/messages/count_tokens') return planCountTokens(provider, model, req, headers, table);
  if (path === '/v1/responses' && provider.key === 'openai')
    return plan({ client: 'openai', provider, path: `${base}/responses`, model, req }, headers, table); // as is
  if (path === '/v1/embeddings') {
    if (provider.style.id !== 'openai') throw unsupported('openai', provider);
    return plan({ client: 'openai', provider, path: `${base}/embeddings`, model, req }, headers, table);
  }
  const client: ClientApi = path === '/v1/responses' ? 'responses' : UNIFIED_PATHS[path]!;
  return plan({ client, provider, path: chatPath(provider, model, stream), model, req }, headers, table);
}

/** The native chat-style path of a provider for a model. */
function chatPath(provider: Provider, model: string, stream: boolean): string {
  const base = provider.base.pathname.replace(/\/$/, '');
  if (provider.style.id === 'anthropic') return '/v1/messages';
  if (provider.style.id === 'google')
    return `${base}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  return `${base}/chat/completions`;
}

/**
 * `/v1/messages/count_tokens` (Claude Code calls it often): Anthropic answers it; for any other
 * provider the gateway counts the tokens itself with its tokenizer (an estimate, and said so).
 */
function planCountTokens(
  provider: Provider,
  model: string,
  req: Json,
  headers: IncomingHttpHeaders,
  table: RouteTable,
): UnifiedPlan {
  const native = provider.style.id === 'anthropic';
  return {
    route: providerRoute(
      provider,
      native ? '/v1/messages/count_tokens' : chatPath(provider, model, false),
      headers,
      table,
    ),
    body: { ...req, model },
    warnings: native
      ? []
      : [`${provider.key} has no token-counting call: counted by Lava Desktop's tokenizer (an estimate)`],
    clientStyle: STYLES.anthropic,
    local: native ? undefined : 'count_tokens',
  };
}

/** What each client SDK appends to a base URL; Lava strips it from rewrite URLs (lava-api.md §2.2). */
const SDK_SUFFIX: Record<string, string> = { openai: '/chat/completions', anthropic: '/v1/messages', google: '' };

/** `/v1/rewrite/<format>/<provider URL>`: the client speaks `format`, the provider is named by the URL. */
export function planRewrite(
  rawUrl: string,
  json: unknown,
  headers: IncomingHttpHeaders,
  table: RouteTable,
): UnifiedPlan {
  const m = /^\/v1\/rewrite\/([a-z]+)\/(.+)$/.exec(rawUrl);
  const format = m?.[1] ?? '';
  if (!m || !(format in SDK_SUFFIX)) {
    throw new GatewayError(
      400,
      'bad_rewrite',
      `rewrite needs /v1/rewrite/<openai|anthropic|google>/<provider URL>${format === 'bedrock' ? ' (bedrock is not supported)' : ''}`,
    );
  }
  const url = rewriteTarget(m[2]!, SDK_SUFFIX[format]!);
  const provider = providerForUrl(table.providers, url);
  if (!provider) throw new GatewayError(400, 'bad_rewrite', `${url.host} is not a known provider`);
  const req = (json ?? {}) as Json;
  const want = {
    client: format as ClientApi,
    provider,
    path: url.pathname + url.search,
    model: String(req.model ?? ''),
  };
  return plan({ ...want, req }, headers, table);
}

/** The provider URL of a rewrite path: scheme added when missing, the client SDK's own suffix removed. */
function rewriteTarget(raw: string, suffix: string): URL {
  let target = raw.replace(/^(https?):\/(?!\/)/, '$1://');
  if (!/^https?:\/\//.test(target)) target = `https://${target}`;
  const [pathPart = '', query] = target.split(/\?(.*)/s);
  if (!URL.canParse(pathPart))
    throw new GatewayError(400, 'bad_rewrite', 'the provider URL in the rewrite path is not a URL');
  const stripped =
    suffix &&
    pathPart.endsWith(suffix) &&
    !pathPart.slice(0, -suffix.length).endsWith('/') &&
    new URL(pathPart).pathname !== suffix
      ? pathPart.slice(0, -suffix.length)
      : pathPart;
  if (!URL.canParse(stripped))
    throw new GatewayError(400, 'bad_rewrite', 'the provider URL in the rewrite path is not a URL');
  return new URL(stripped + (query ? `?${query}` : ''));
}

/** The route to the provider's path, with the request translated to its API when the client speaks another. */
function plan(w: Want, headers: IncomingHttpHeaders, table: RouteTable): UnifiedPlan {
  const t = translate(w.client, w.provider.style.id, w.req, w.model, String(w.req.model));
  if (!t) throw unsupported(w.client, w.provider);
  return {
    route: providerRoute(w.provider, w.path, headers, table),
    body: t.body,
    warnings: t.warnings,
    clientStyle: STYLES[w.client === 'responses' ? 'openai' : w.client],
    translation: t.translation,
  };
}

const unsupported = (client: ClientApi, provider: Provider) =>
  new GatewayError(
    400,
    'unsupported_translation',
    `translating ${client === 'responses' ? 'openai' : client} requests to ${provider.key} (${provider.style.id} API) is not supported yet; call it on /${provider.key}/… in its own API`,
  );
