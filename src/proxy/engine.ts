/**
 * The proxy hot path. Requests are resolved, their body read (limit, usage-option injection),
 * credentials set, then handed to http-proxy-middleware, which forwards to a per-request target.
 * Responses are relayed by us (`selfHandleResponse`, see relay.ts) so that bytes go to the client as they
 * arrive while a tap meters them; nothing is buffered on the way to the client.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware, debugProxyErrorsPlugin, type Plugin, type RequestHandler } from 'http-proxy-middleware';
import { GatewayError, sendError } from '../lib/errors.js';
import { STYLES } from '../providers/registry.js';
import { clientOf } from '../metering/client.js';
import { newRecordId } from '../metering/ids.js';
import type { RequestRecord } from '../store/types.js';
import { hasBody, readBody } from './body.js';
import { CAPTURE_CAP, Exchange } from '../metering/exchange.js';
import { resolveRoute, type RouteTable } from '../routing/resolve.js';
import { guardedAgents, PrivateAddressError } from '../routing/ssrf.js';
import { planRewrite, planUnified, REWRITE_PREFIX, unifiedClient } from '../routing/plan.js';
import { relay } from './relay.js';
import { formFields, isMultipart } from '../metering/multipart.js';
import { isFreeCall } from '../metering/free.js';
import { collectText } from '../metering/estimate.js';
import { clientCredential, requestUrl } from '../routing/credentials.js';

export interface ProxyOptions {
  table: () => RouteTable;
  bodyLimit: () => number;
  injectStreamUsage: () => boolean;
  captureBodies: () => boolean;
  onStart: (
    r: Pick<RequestRecord, 'id' | 'startedAt' | 'provider' | 'method' | 'path' | 'model' | 'stream' | 'client'>,
  ) => void;
  onEnd: (r: RequestRecord) => void;
  /** The gateway's secrets (keys, tokens), masked in captured bodies. */
  secrets: () => (string | undefined)[];
  /** How long a request body may pause between bytes (default 30 s). */
  bodyIdleMs?: () => number;
  /** With a hard budget, a check run as a stream goes: given its cost so far, the refusal if it crosses the cap. */
  streamCap: () => ((partialCost: number) => GatewayError | undefined) | undefined;
}

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

  /** Proxies one request; `refusal` (origin, local key, pause) answers it in the client's API shape instead. */
  async function handle(req: IncomingMessage, res: ServerResponse, refusal?: GatewayError): Promise<void> {
    const t0 = performance.now();
    const rawUrl = req.url ?? '/';
    const ex = new Exchange({
      id: newRecordId(),
      method: req.method ?? 'GET',
      path: rawUrl.split('?')[0]!,
      client: clientOf(req.headers['user-agent']),
      startedAt: new Date(),
      t0,
    });
    res.setHeader('x-lava-desktop-request-id', ex.init.id);
    open.add(ex.init.id);
    // Before resolution strips it: the client's own key, so captured bodies can mask it.
    if (opts.captureBodies()) ex.clientKey = clientCredential(req.headers, requestUrl(rawUrl));
    const unified = unifiedClient(req.method, ex.init.path);
    try {
      if (unified) {
        ex.clientStyle = STYLES[unified];
        if (refusal) throw refusal;
        await prepareUnified(req, ex, opts);
        // Which provider a bare model name was routed to (PRODUCT.md §3).
        res.setHeader('x-lava-desktop-provider', ex.route!.providerKey);
      } else {
        ex.route = resolveRoute(rawUrl, req.headers, opts.table());
        if (refusal) throw refusal;
        if (hasBody(req)) await prepareBody(req, ex, opts);
      }
    } catch (e) {
      return refuse(res, ex, e, opts);
    }
    if (!ex.route) return refuse(res, ex, new GatewayError(500, 'internal', 'no route'), opts);
    ex.free = ex.local !== undefined || isFreeCall(ex.init.method, ex.route.upstream.pathname);
    // Key names come from the client's JSON: keep the header to printable ASCII whatever they hold.
    if (ex.warnings.length)
      res.setHeader(
        'x-lava-desktop-warning',
        ex.warnings
          .join('; ')
          .replace(/[^\x20-\x7e]/g, '?')
          .slice(0, 2000),
      );
    if (ex.local) return answerLocally(res, ex, opts);
    for (const [k, v] of Object.entries(ex.route.setHeaders)) req.headers[k] = v;
    // The gateway reads and rewrites these bodies (translation, the usage chunk): ask for them plain.
    if (ex.translation || ex.filterUsage) req.headers['accept-encoding'] = 'identity';
    const defaults = ex.route.style.defaultHeaders;
    if (defaults) for (const [k, v] of Object.entries(defaults)) req.headers[k] ??= v;
    (req as Req)[EX] = ex;
    opts.onStart({
      id: ex.init.id,
      startedAt: ex.init.startedAt.toISOString(),
      provider: ex.route.providerKey,
      method: ex.init.method,
      path: ex.init.path,
      model: ex.info.model,
      stream: ex.info.stream,
      client: ex.init.client,
    });
    const proxy = proxies[ex.route.guarded ? 'guarded' : 'direct'][ex.route.target.protocol as 'http:' | 'https:'];
    await proxy(req, res, (err?: unknown) => {
      if (err) void finishWith(ex, res, new GatewayError(500, 'internal', 'internal error'), opts);
    });
  }

  /** Resolves once every request that reached the proxy has been recorded (or after `ms`). */
  async function drained(ms: number): Promise<void> {
    for (const t0 = Date.now(); open.size > 0 && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 10));
  }

  return { handle, drained };
}

/** Reads the whole request body (limit → 413, client gone → 499). */
async function readWhole(req: IncomingMessage, opts: ProxyOptions): Promise<Buffer> {
  const got = await readBody(req, opts.bodyLimit(), opts.bodyIdleMs?.());
  if (got.ok) return got.body;
  if ('slow' in got) {
    // The client stalled mid-body: answer, then close the connection (what it still sends is not read).
    req.socket.setTimeout(1000, () => req.socket.destroy());
    const secs = Math.round((opts.bodyIdleMs?.() ?? 30_000) / 1000);
    throw new GatewayError(408, 'request_timeout', `the request body stopped arriving (no bytes for ${secs} s)`);
  }
  if ('tooLarge' in got) {
    throw new GatewayError(
      413,
      'request_too_large',
      `request body is larger than limits.bodyBytes (${opts.bodyLimit()} bytes)`,
    );
  }
  throw new GatewayError(499, 'client_aborted', 'aborted by client');
}

async function prepareBody(req: IncomingMessage, ex: Exchange, opts: ProxyOptions): Promise<void> {
  const body = await readWhole(req, opts);
  let json: unknown;
  const type = req.headers['content-type'];
  if (isMultipart(type)) {
    // Audio transcriptions and uploads: the model is a form field, the answer reports the usage.
    const fields = await formFields(body, type!);
    setBody(req, ex, opts, undefined, body);
    ex.info = { model: fields.model, stream: fields.stream === 'true', multipart: true };
    return;
  }
  if (String(type ?? '').includes('json')) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined; // not our business: the upstream will answer it
    }
  }
  setBody(req, ex, opts, json, body);
}

/** Unified endpoints: the body decides the provider, and may be translated to its API. */
async function prepareUnified(req: IncomingMessage, ex: Exchange, opts: ProxyOptions): Promise<void> {
  const raw = await readWhole(req, opts);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  const rawUrl = req.url ?? '/';
  const plan = ex.init.path.startsWith(REWRITE_PREFIX)
    ? planRewrite(rawUrl, json, req.headers, opts.table())
    : planUnified(ex.init.path, json, req.headers, opts.table());
  ex.route = plan.route;
  ex.translation = plan.translation;
  ex.warnings = plan.warnings;
  ex.local = plan.local;
  setBody(req, ex, opts, plan.body, Buffer.from(JSON.stringify(plan.body)));
}

/** Meters what the request asks for, adds stream usage where due, and sets the body to forward. */
function setBody(req: IncomingMessage, ex: Exchange, opts: ProxyOptions, json: unknown, original: Buffer): void {
  let body = original;
  const route = ex.route!;
  if (json !== undefined) {
    ex.info = route.style.requestInfo(json, route.upstream.pathname);
    const b = json as { stream?: unknown; stream_options?: Record<string, unknown> };
    if (wantsUsageInjection(json, route.style.id, route.upstream.pathname, opts)) {
      b.stream_options = { ...(b.stream_options ?? {}), include_usage: true };
      body = Buffer.from(JSON.stringify(json));
      // A translated stream is rebuilt by the translator, which decides about the usage chunk itself.
      ex.filterUsage = !ex.translation;
    } else if (route.style.id === 'openai' && b.stream === true && b.stream_options?.include_usage !== true) {
      ex.streamWithoutUsage = true;
    }
  }
  if (opts.captureBodies()) {
    ex.capture = { request: body.subarray(0, CAPTURE_CAP).toString('utf8'), response: '' };
    ex.secrets = [...opts.secrets(), ex.clientKey];
  }
  ex.body = body;
  req.headers['content-length'] = String(body.length);
  delete req.headers['transfer-encoding'];
}

function wantsUsageInjection(json: unknown, style: string, path: string, opts: ProxyOptions): boolean {
  if (style !== 'openai' || !opts.injectStreamUsage() || !path.endsWith('/chat/completions')) return false;
  const b = json as { stream?: unknown; stream_options?: { include_usage?: unknown } };
  return b.stream === true && b.stream_options?.include_usage !== true;
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

/** Token counting for a provider without a counting call: the tokenizer counts the prompt's text. */
async function answerLocally(res: ServerResponse, ex: Exchange, opts: ProxyOptions): Promise<void> {
  const { countTokens } = await import('gpt-tokenizer');
  const body = JSON.parse(ex.body?.toString('utf8') ?? '{}') as unknown;
  const text = JSON.stringify({ input_tokens: countTokens(collectText(body).join('\n')) });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  ex.status = 200;
  opts.onEnd(await ex.finish());
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
