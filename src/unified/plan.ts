/**
 * The unified endpoints (`POST /v1/chat/completions`, `/v1/embeddings` in OpenAI's shape,
 * `/v1/messages` in Anthropic's): route by model, rewrite the model name, and translate when the
 * provider speaks another API. The result is an ordinary proxy route plus what to do with the
 * response.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors.js';
import { STYLES } from '../providers/registry.js';
import type { ApiStyle, StyleId } from '../providers/types.js';
import { providerRoute, type Route, type RouteTable } from '../proxy/resolve.js';
import { routeModel } from './route-model.js';
import {
  chatResponseToMessages,
  chatToMessages,
  messagesResponseToChat,
  messagesToChat,
} from '../providers/anthropic/translate.js';
import { AnthropicToOpenAiSse, OpenAiToAnthropicSse } from './streams.js';
import type { Transform } from 'node:stream';

export const UNIFIED_PATHS: Record<string, 'openai' | 'anthropic'> = {
  '/v1/chat/completions': 'openai',
  '/v1/embeddings': 'openai',
  '/v1/messages': 'anthropic',
};

type Json = Record<string, unknown>;

export interface Translation {
  /** The API the client speaks (its error shape, its response shape). */
  client: StyleId;
  /** The model name the client asked for, echoed back in responses. */
  model: string;
  json(body: Json): Json;
  stream(): Transform;
}

export interface UnifiedPlan {
  route: Route;
  body: Json;
  warnings: string[];
  clientStyle: ApiStyle;
  translation?: Translation;
}

export function planUnified(path: string, json: unknown, headers: IncomingHttpHeaders, table: RouteTable): UnifiedPlan {
  const client = UNIFIED_PATHS[path]!;
  const clientStyle = STYLES[client];
  const req = (json ?? {}) as Json;
  const { provider, model } = routeModel(req.model, table);
  const target = provider.style.id;
  const embeddings = path === '/v1/embeddings';
  if (target === 'openai') {
    const native = `${provider.base.pathname.replace(/\/$/, '')}/${embeddings ? 'embeddings' : 'chat/completions'}`;
    const route = providerRoute(provider, native, headers, table);
    if (client === 'openai') return { route, body: { ...req, model }, warnings: [], clientStyle };
    const t = messagesToChat(req, model);
    return {
      route,
      body: t.body,
      warnings: t.warnings,
      clientStyle,
      translation: {
        client,
        model: String(req.model),
        json: (b) => chatResponseToMessages(b, String(req.model)),
        stream: () => new OpenAiToAnthropicSse(String(req.model)),
      },
    };
  }
  if (target === 'anthropic' && !embeddings) {
    const route = providerRoute(provider, '/v1/messages', headers, table);
    if (client === 'anthropic') return { route, body: { ...req, model }, warnings: [], clientStyle };
    const t = chatToMessages(req, model);
    const includeUsage = (req.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    return {
      route,
      body: t.body,
      warnings: t.warnings,
      clientStyle,
      translation: {
        client,
        model: String(req.model),
        json: (b) => messagesResponseToChat(b, String(req.model)),
        stream: () => new AnthropicToOpenAiSse(String(req.model), includeUsage),
      },
    };
  }
  throw new GatewayError(
    400,
    'unsupported_translation',
    `${provider.key} (${target} API) cannot serve ${path} yet; call it on /${provider.key}/… in its own API`,
  );
}

/** An upstream error in the client's API shape (message kept, shape translated). */
export function errorForClient(status: number, text: string, client: ApiStyle): string {
  let message = text.slice(0, 500);
  try {
    const b = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    message = typeof b.error === 'string' ? b.error : (b.error?.message ?? b.message ?? message);
  } catch {
    // not JSON: keep the text
  }
  return JSON.stringify(client.errorBody(status, 'upstream_error', message));
}
