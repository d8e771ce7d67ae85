/**
 * The request pipeline for proxy routes, from the top: the server hands over a classified
 * request; routing prepares it (route, body, plan, translation); the proxy forwards it and relays
 * the answer while metering taps it; the finished record goes to the recorder (`onEnd`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../lib/errors.js';
import { createProxy, type ProxyOptions } from '../proxy/engine.js';
import { countLocally, prepare, type PrepareOptions } from './prepare.js';
import type { RouteKind } from './classify.js';
import { clientCredential, requestUrl } from './credentials.js';

export type PipelineOptions = PrepareOptions & ProxyOptions;

export function createPipeline(opts: PipelineOptions) {
  const proxy = createProxy(opts);

  /** Proxies one request; `refusal` (origin, local key, pause, budget) answers it in the client's API shape instead. */
  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    kind: RouteKind,
    refusal?: GatewayError,
    tag: string | null = null,
  ): Promise<void> {
    const ex = proxy.begin(req, res, tag);
    // Before resolution strips it: the client's own key, so captured bodies can mask it.
    if (opts.captureBodies()) ex.clientKey = clientCredential(req.headers, requestUrl(req.url ?? '/'));
    try {
      await prepare(req, res, ex, kind, refusal, opts);
    } catch (e) {
      return proxy.refuse(res, ex, e);
    }
    if (ex.local) {
      const text = await countLocally(ex);
      return proxy.answer(res, ex, text);
    }
    await proxy.forward(req, res, ex);
  }

  return { handle, drained: proxy.drained };
}
