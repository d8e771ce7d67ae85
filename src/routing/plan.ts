/**
 * The unified endpoints (`POST /v1/chat/completions`, `/v1/embeddings` in OpenAI's shape,
 * `/v1/messages` in Anthropic's): route by model, rewrite the model name, and translate when the
 * provider speaks another API. The result is an ordinary proxy route plus what to do with the
 * response.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../lib/errors.js';
import { providerForUrl, STYLES } from '../providers/registry.js';
import type { ApiStyle, Provider, StyleId } from '../providers/types.js';
import { providerRoute, type RouteTable } from './resolve.js';
import type { Route, Translation } from '../pipeline/types.js';

export type { Translation } from '../pipeline/types.js';
import { routeModel } from './models.js';
import {
  chatResponseToMessages,
  chatToMessages,
  messagesResponseToChat,
  messagesToChat,
  type Translated,
} from '../translate/anthropic.js';
import { AnthropicToOpenAiSse, ChatToResponsesSse, GeminiSse, OpenAiToAnthropicSse } from '../translate/sse.js';
import { chatToResponse, responsesToChat } from '../translate/responses.js';
import { chatToGemini, geminiResponseToChat } from '../translate/gemini.js';

export const UNIFIED_PATHS: Record<string, 'openai' | 'anthropic'> = {
  '/v1/chat/completions': 'openai',
  '/v1/embeddings': 'openai',
  '/v1/messages': 'anthropic',
  '/v1/messages/count_tokens': 'anthropic',
  '/v1/responses': 'openai',
};

type Json = Record<string, unknown>;

export interface UnifiedPlan {
  route: Route;
  body: Json;
  warnings: string[];
  clientStyle: ApiStyle;
  translation?: Translation;
  /** Answered by the gateway itself (token counting for a provider that has no such call). */
  local?: 'count_tokens';
}

export function planUnified(path: string, json: unknown, headers: IncomingHttpHeaders, table: RouteTable): UnifiedPlan {
  const client = UNIFIED_PATHS[path]!;
  const req = (json ?? {}) as Json;
  const { provider, model } = routeModel(req.model, table);
  if (path === '/v1/responses') return planResponses(provider, model, req, headers, table);
  if (path === '/v1/messages/count_tokens') return planCountTokens(provider, model, req, headers, table);
  const embeddings = path === '/v1/embeddings';
  const native = embeddings
    ? `${provider.base.pathname.replace(/\/$/, '')}/embeddings`
    : chatPath(provider, model, req.stream === true);
  return planFor(client, provider, native, model, req, headers, table, embeddings);
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

/** The native chat-style path of a provider for a model. */
function chatPath(provider: Provider, model: string, stream: boolean): string {
  const base = provider.base.pathname.replace(/\/$/, '');
  if (provider.style.id === 'anthropic') return '/v1/messages';
  if (provider.style.id === 'google')
    return `${base}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  return `${base}/chat/completions`;
}

/**
 * `/v1/responses`: OpenAI itself takes it as is; any other provider gets the request as a chat
 * request (translated further to its own API) and the answer rebuilt as a Responses object or
 * event stream.
 */
function planResponses(
  provider: Provider,
  model: string,
  req: Json,
  headers: IncomingHttpHeaders,
  table: RouteTable,
): UnifiedPlan {
  if (provider.key === 'openai') {
    return {
      route: providerRoute(provider, `${provider.base.pathname.replace(/\/$/, '')}/responses`, headers, table),
      body: { ...req, model },
      warnings: [],
      clientStyle: STYLES.openai,
    };
  }
  const asChat = responsesToChat(req, model);
  const inner = planFor(
    'openai',
    provider,
    chatPath(provider, model, req.stream === true),
    model,
    asChat.body,
    headers,
    table,
    false,
  );
  const name = String(req.model);
  const innerJson = inner.translation?.json ?? ((b: Json) => b);
  return {
    ...inner,
    warnings: [...asChat.warnings, ...inner.warnings],
    translation: {
      client: 'openai',
      model: name,
      json: (b) => chatToResponse(innerJson(b), name),
      stream: () => [...(inner.translation?.stream() ?? []), new ChatToResponsesSse(name)],
    },
  };
}

export const REWRITE_PREFIX = '/v1/rewrite/';

/** The API a client speaks on a unified or rewrite path (POST only), if the path is one. */
export function unifiedClient(method: string | undefined, path: string): StyleId | undefined {
  if (method !== 'POST') return undefined;
  if (UNIFIED_PATHS[path]) return UNIFIED_PATHS[path];
  if (!path.startsWith(REWRITE_PREFIX)) return undefined;
  const format = path.slice(REWRITE_PREFIX.length).split('/')[0]!;
  return format === 'anthropic' || format === 'google' ? format : 'openai';
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
  let target = m[2]!.replace(/^(https?):\/(?!\/)/, '$1://');
  if (!/^https?:\/\//.test(target)) target = `https://${target}`;
  const [pathPart = '', query] = target.split(/\?(.*)/s);
  const suffix = SDK_SUFFIX[format]!;
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
  const url = new URL(stripped + (query ? `?${query}` : ''));
  const provider = providerForUrl(table.providers, url);
  if (!provider) throw new GatewayError(400, 'bad_rewrite', `${url.host} is not a known provider`);
  const req = (json ?? {}) as Json;
  return planFor(
    format as 'openai' | 'anthropic',
    provider,
    url.pathname + url.search,
    String(req.model ?? ''),
    req,
    headers,
    table,
    false,
  );
}

function planFor(
  client: StyleId,
  provider: Provider,
  native: string,
  model: string,
  req: Json,
  headers: IncomingHttpHeaders,
  table: RouteTable,
  embeddings: boolean,
): UnifiedPlan {
  const clientStyle = STYLES[client];
  const target = provider.style.id;
  if (target === client) {
    return {
      route: providerRoute(provider, native, headers, table),
      body: { ...req, model },
      warnings: [],
      clientStyle,
    };
  }
  const name = String(req.model);
  const translated = (t: Translated, json: Translation['json'], stream: Translation['stream']): UnifiedPlan => ({
    route: providerRoute(provider, native, headers, table),
    body: t.body,
    warnings: t.warnings,
    clientStyle,
    translation: { client, model: name, json, stream },
  });
  if (target === 'openai' && client === 'anthropic') {
    return translated(
      messagesToChat(req, model),
      (b) => chatResponseToMessages(b, name),
      () => [new OpenAiToAnthropicSse(name)],
    );
  }
  if (target === 'anthropic' && client === 'openai' && !embeddings) {
    const includeUsage = (req.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    return translated(
      chatToMessages(req, model),
      (b) => messagesResponseToChat(b, name),
      () => [new AnthropicToOpenAiSse(name, includeUsage)],
    );
  }
  if (target === 'google' && client !== 'google' && !embeddings) {
    const asChat = client === 'anthropic' ? messagesToChat(req, model) : { body: req, warnings: [] };
    const t = chatToGemini(asChat.body);
    const includeUsage = (req.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    return translated(
      { body: t.body, warnings: [...asChat.warnings, ...t.warnings] },
      (b) =>
        client === 'anthropic'
          ? chatResponseToMessages(geminiResponseToChat(b, name), name)
          : geminiResponseToChat(b, name),
      () => [new GeminiSse(name, client as 'openai' | 'anthropic', includeUsage)],
    );
  }
  throw new GatewayError(
    400,
    'unsupported_translation',
    `translating ${client} requests to ${provider.key} (${target} API) is not supported yet; call it on /${provider.key}/… in its own API`,
  );
}
