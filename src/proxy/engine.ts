/**
 * The proxy: forwards a prepared request (see routing/) with http-proxy-middleware to its
 * per-request target and relays the answer itself (`selfHandleResponse`, relay.ts), so bytes go
 * to the client as they arrive while a tap meters them; nothing is buffered on the way. It also
 * answers what routing refused, in the client's API shape, and records every request (`onEnd`).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware, debugProxyErrorsPlugin, type Plugin, type RequestHandler } from 'http-proxy-middleware';
import { GatewayError, sendError } from '../lib/errors.js';
import { STYLES } from '../providers/registry.js';
import { clientOf, toolFor } from '../metering/client.js';
import { newRecordId } from '../metering/ids.js';
import { isFreeCall } from '../metering/free.js';
import { Exchange } from '../metering/exchange.js';
import { guardedAgents, PrivateAddressError } from './ssrf.js';
import { relay } from './relay.js';
import type { ProxyOptions } from './options.js';

export type { ProxyOptions } from './options.js';

const EX = Symbol('lava-desktop.exchange');
type Req = IncomingMessage & { [EX]?: Exchange };

export function createProxy(given: ProxyOptions) {
  // Requests whose record is not built yet (a stop waits for them before the store closes).
  const open = new Set<string>();
  const opts: ProxyOptions = {
    ...given,
    onEnd: (r) => {
      open.delete(r.id);
      given.onEnd(r);
    },
  };
  const directAgents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  const make = (agent: http.Agent): RequestHandler =>
    createProxyMiddleware({
      router: (req) => (req as Req)[EX]!.route!.target.origin,
      pathRewrite: (_path, req) => {
        const t = (req as Req)[EX]!.route!.target;
        return t.pathname + t.search;
      },
      changeOrigin: true,
      selfHandleResponse: true,
      agent,
      ejectPlugins: true,
      plugins: [debugProxyErrorsPlugin, (server) => wire(server, opts)],
    });
  const proxies = {
    direct: { 'http:': make(directAgents.http), 'https:': make(directAgents.https) },
    guarded: { 'http:': make(guardedAgents.http), 'https:': make(guardedAgents.https) },
  };

  /** The exchange of a new request: its id (sent back at once), client, start time. */
  function begin(req: IncomingMessage, res: ServerResponse, tag: string | null): Exchange {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const ua = req.headers['user-agent'];
    const tool = toolFor(tag, ua);
    const ex = new Exchange({
      id: newRecordId(),
      method: req.method ?? 'GET',
      path: q < 0 ? rawUrl : rawUrl.slice(0, q),
      client: clientOf(ua, tool),
      tag,
      tool,
      startedAt: new Date(),
      t0: performance.now(),
    });
    res.setHeader('x-lava-desktop-request-id', ex.init.id);
    open.add(ex.init.id);
    return ex;
  }

  /** Forwards a prepared request to its route's target. */
  async function forward(req: IncomingMessage, res: ServerResponse, ex: Exchange): Promise<void> {
    const route = ex.route!;
    ex.free = isFreeCall(ex.init.method, route.upstream.pathname);
    warn(res, ex);
    for (const [k, v] of Object.entries(route.setHeaders)) req.headers[k] = v;
    // The gateway reads and rewrites these bodies (translation, the usage chunk, a budget's cut): ask for them plain.
    if (ex.translation || ex.filterUsage || ex.cap) req.headers['accept-encoding'] = 'identity';
    const defaults = route.style.defaultHeaders;
    if (defaults) for (const [k, v] of Object.entries(defaults)) req.headers[k] ??= v;
    (req as Req)[EX] = ex;
    opts.onStart({
      id: ex.init.id,
      startedAt: ex.init.startedAt.toISOString(),
      provider: route.providerKey,
      method: ex.init.method,
      path: ex.init.path,
      model: ex.info.model,
      stream: ex.info.stream,
      client: ex.init.client,
      tool: ex.init.tool,
      tag: ex.init.tag,
    });
    const proxy = proxies[route.guarded ? 'guarded' : 'direct'][route.target.protocol as 'http:' | 'https:'];
    await proxy(req, res, (err?: unknown) => {
      if (err) void finishWith(ex, res, new GatewayError(500, 'internal', 'internal error'), opts);
    });
  }

  /** Answers a request the gateway serves itself (a local token count), recorded as free. */
  async function answer(res: ServerResponse, ex: Exchange, json: string): Promise<void> {
    ex.free = true;
    warn(res, ex);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
    ex.status = 200;
    opts.onEnd(await ex.finish());
  }

  /** Resolves once every request that reached the proxy has been recorded (or after `ms`). */
  async function drained(ms: number): Promise<void> {
    for (const t0 = Date.now(); open.size > 0 && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 10));
  }

  return {
    begin,
    forward,
    answer,
    refuse: (res: ServerResponse, ex: Exchange, e: unknown) => refuse(res, ex, e, opts),
    drained,
  };
}

/** Parameters a translation dropped, named in a response header (kept to printable ASCII: they come from the client). */
function warn(res: ServerResponse, ex: Exchange): void {
  if (!ex.warnings.length) return;
  res.setHeader(
    'x-lava-desktop-warning',
    ex.warnings
      .join('; ')
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 2000),
  );
}

/** http-proxy events: body write, response relay with metering tap, errors. */
function wire(server: Parameters<Plugin>[0], opts: ProxyOptions): void {
  server.on('proxyReq', (proxyReq, req, res) => {
    const ex = (req as Req)[EX];
    if (!ex) return;
    if (ex.body) proxyReq.write(ex.body);
    // The body was read before proxying, so http-proxy's own abort-on-'aborted' cannot fire.
    (res as ServerResponse).once('close', () => {
      if (!(res as ServerResponse).writableFinished) proxyReq.destroy();
    });
  });
  server.on('proxyRes', (proxyRes, req, res) => relay(proxyRes, (req as Req)[EX]!, res as ServerResponse, opts));
  server.on('error', (err, req, res) => {
    const ex = (req as Req)[EX];
    if (!ex || !('writeHead' in res)) return;
    const gErr =
      err instanceof PrivateAddressError || (err as { code?: string }).code === 'LAVA_PRIVATE_ADDRESS'
        ? new GatewayError(
            403,
            'private_address',
            `${ex.route!.upstream.host} resolves to a private address; add it to forward.allowedHosts to allow it`,
          )
        : new GatewayError(
            502,
            'upstream_unreachable',
            `cannot reach ${ex.route!.target.host}: ${(err as { code?: string }).code ?? err.message}`,
          );
    void finishWith(ex, res, gErr, opts);
  });
}

function refuse(res: ServerResponse, ex: Exchange, e: unknown, opts: ProxyOptions): void {
  // Malformed input that slipped past the parsers (an escape, a URL) is the client's error, not ours.
  const malformed = e instanceof URIError || (e instanceof TypeError && /Invalid URL/i.test(e.message));
  const err =
    e instanceof GatewayError
      ? e
      : malformed
        ? new GatewayError(400, 'malformed_request', 'the request target or body holds a malformed URL or %-escape')
        : new GatewayError(500, 'internal', 'internal error');
  void finishWith(ex, res, err, opts);
}

async function finishWith(ex: Exchange, res: ServerResponse, err: GatewayError, opts: ProxyOptions): Promise<void> {
  const aborted = err.status === 499;
  const close = err.status === 408 ? { connection: 'close' } : undefined;
  if (!aborted) sendError(res, err, ex.clientStyle ?? ex.route?.style ?? STYLES.openai, close);
  ex.status = aborted ? 499 : err.status;
  opts.onEnd(await ex.finish(err.message));
}
