/**
 * The request pipeline for proxy routes, from the top: the server hands over a classified
 * request; routing prepares it (route, body, plan, translation); the proxy forwards it and relays
 * the answer while metering taps it; the finished record goes to the recorder (`onEnd`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../lib/errors.js';
import type { Exchange } from '../metering/exchange.js';
import { isFreeCall } from '../metering/free.js';
import { createProxy, type ProxyOptions } from '../proxy/engine.js';
import { countLocally, prepare, type PrepareOptions } from './prepare.js';
import type { RouteKind } from './classify.js';
import { clientCredential, requestUrl } from './credentials.js';

export type PipelineOptions = PrepareOptions &
  ProxyOptions & {
    /** A refusal for a request of a tool that must not send now (the runaway guard, PRODUCT.md §14). */
    guard?: (ex: Exchange) => GatewayError | undefined;
    /** Under a hard budget: the request's reservation, or its refusal (PRODUCT.md §14). */
    admit?: (ex: Exchange) => Promise<{ refusal?: GatewayError; check?: Exchange['cap'] } | undefined>;
  };

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
    refusal ??= opts.guard?.(ex);
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
    if (opts.admit && ex.route && !isFreeCall(ex.init.method, ex.route.upstream.pathname)) {
      const a = await opts.admit(ex);
      if (a?.refusal) return proxy.refuse(res, ex, a.refusal);
      ex.cap = a?.check;
    }
    await proxy.forward(req, res, ex);
  }

  return { handle, drained: proxy.drained };
}
