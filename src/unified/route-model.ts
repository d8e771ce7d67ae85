/**
 * Which provider serves a model on the unified endpoints: `provider/model`, or a bare model name
 * matched against the price catalogue of the providers that can be reached (a key, Lava mode, or
 * a custom origin). Ambiguous and unknown names are refused with what would work.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { GatewayError } from '../errors.js';
import type { Provider } from '../providers/types.js';
import type { RouteTable } from '../proxy/resolve.js';
import { PRICE_PROVIDER_ID } from '../providers/table.js';

export function routable(table: RouteTable): Provider[] {
  return [...table.providers.values()].filter(
    (p) => p.apiKey || p.customOrigin || (p.mode === 'lava' && table.lava.secretKey),
  );
}

export function routeModel(model: unknown, table: RouteTable): { provider: Provider; model: string } {
  if (typeof model !== 'string' || !model) throw new GatewayError(400, 'model_required', 'the request needs a "model"');
  const slash = model.indexOf('/');
  if (slash > 0) {
    const provider = table.providers.get(model.slice(0, slash));
    if (provider) return { provider, model: model.slice(slash + 1) };
  }
  const candidates = routable(table).filter((p) => knows(p, model));
  if (candidates.length === 1) return { provider: candidates[0]!, model };
  if (candidates.length > 1) {
    throw new GatewayError(
      400,
      'ambiguous_model',
      `"${model}" is served by several configured providers; say which: ${candidates.map((p) => `${p.key}/${model}`).join(', ')}`,
    );
  }
  const keys = routable(table).map((p) => p.key);
  throw new GatewayError(
    404,
    'model_not_found',
    keys.length
      ? `no configured provider is known to serve "${model}"; use provider/model with one of: ${keys.join(', ')}`
      : `no provider is configured; add a provider key (e.g. OPENAI_API_KEY) or a Lava key, then use provider/model`,
  );
}

function knows(p: Provider, model: string): boolean {
  try {
    return (
      calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: PRICE_PROVIDER_ID[p.key] ?? p.key }) !==
      null
    );
  } catch {
    return false;
  }
}
