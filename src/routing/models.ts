/**
 * Which provider serves a model on the unified endpoints: `provider/model`, or a bare model name
 * matched against the price catalogue of the providers that can be reached (a key, Lava mode, or
 * a custom origin). Several can serve one name (with a Lava key, `claude-sonnet-4-5` is priced at
 * anthropic and at google's Vertex): the model's own maker wins (the catalogue's provider whose
 * model pattern names it), then a native route over its OpenAI-compatible twin on the same host
 * (google over googleOpenaiCompatible). Only truly equal choices stay ambiguous; unknown names are
 * refused with what would work.
 */
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { GatewayError } from '../lib/errors.js';
import type { Provider } from '../providers/types.js';
import type { RouteTable } from './resolve.js';
import { priceProviderId } from '../providers/table.js';

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
  const candidates = best(
    routable(table).filter((p) => knows(p, model)),
    model,
  );
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

/** The candidates of the best rank: the model's maker first, then native routes before OpenAI-compatible twins. */
function best(candidates: Provider[], model: string): Provider[] {
  if (candidates.length < 2) return candidates;
  const maker = memo(`maker\0${model}`, () => {
    try {
      return findProvider({ modelId: model })?.id;
    } catch {
      return undefined;
    }
  });
  const isTwin = (p: Provider) =>
    p.style.id === 'openai' &&
    candidates.some((q) => q !== p && q.style.id !== 'openai' && q.base.host === p.base.host);
  const rank = (p: Provider) => (priceProviderId(p.key) === maker ? 0 : 2) + (isTwin(p) ? 1 : 0);
  const top = Math.min(...candidates.map(rank));
  return candidates.filter((p) => rank(p) === top);
}

function knows(p: Provider, model: string): boolean {
  const providerId = priceProviderId(p.key);
  return memo(`${providerId}\0${model}`, () => {
    try {
      return calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId }) !== null;
    } catch {
      return false;
    }
  });
}

/**
 * The price catalogue is bundled and does not change while the process runs, so what it says of a
 * model name is looked up once (a catalogue search per request was a tenth of the unified
 * routes' CPU). Bounded: a client sending endless distinct names only refills it.
 */
const CATALOGUE_MEMO_MAX = 4096;
const catalogueMemo = new Map<string, boolean | string | undefined>();

function memo<T extends boolean | string | undefined>(key: string, look: () => T): T {
  if (catalogueMemo.has(key)) return catalogueMemo.get(key) as T;
  if (catalogueMemo.size >= CATALOGUE_MEMO_MAX) catalogueMemo.clear();
  const v = look();
  catalogueMemo.set(key, v);
  return v;
}
