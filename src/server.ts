/**
 * The gateway's HTTP server. A plain `http` server classifies each request once: proxy routes
 * go straight to the pipeline (the hot path stays out of express's middleware stack), `/healthz`
 * is answered here, everything else (admin API, Lava-shaped reads, MCP, dashboard) by the
 * express app (app.ts), loaded on the first such request or shortly after start, so start-up
 * does not wait for it. Host and Origin guards run first for every route.
 */
import http from 'node:http';
import type { GatewayContext } from './context.js';
import { GatewayError, sendError } from './lib/errors.js';
import { safeEqual } from './admin/auth.js';
import { createPipeline } from './routing/pipeline.js';
import { classify, splitTag } from './routing/classify.js';
import { clientCredential, CREDENTIAL_HEADERS, requestUrl, withoutQueryKey } from './routing/credentials.js';
import { budgetRefusal } from './record/budgets.js';
import { admit, budgetsActive } from './record/admission.js';
import { worstCase } from './metering/worst-case.js';
import { recordRequest } from './record/recorder.js';
import { RunawayGuard } from './record/runaway.js';
import { isFreeCall } from './metering/free.js';
import {
  allowedHosts,
  checkAdminOrigin,
  checkHost,
  checkProxyOrigin,
  dashboardOrigins,
  isAdminPath,
  originForm,
} from './guards.js';
import { hasBody } from './proxy/body.js';

/**
 * Slow clients are cut (PRODUCT.md §10): the whole header block within 10 s (checked every
 * second), and body bytes at least every 30 s (the proxy's body reader and `cutSlowBody`).
 */
export interface Timeouts {
  /** The whole header block must arrive within this. */
  headersMs: number;
  /** Body bytes must arrive at least this often. */
  bodyIdleMs: number;
}
export const DEFAULT_TIMEOUTS: Timeouts = { headersMs: 10_000, bodyIdleMs: 30_000 };

/** Routes the express app may answer that are not proxy routes: an idle request body is cut there. */
function cutSlowBody(req: http.IncomingMessage, idleMs: number): void {
  if (!hasBody(req)) return;
  req.socket.setTimeout(idleMs);
  req.once('end', () => req.socket.setTimeout(0));
}

export function createGatewayServer(
  ctx: GatewayContext,
  boundHost: string,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
): {
  server: http.Server;
  setPort: (port: number) => void;
  /** Waits (at most `ms`) until every proxied request has been recorded. */
  drained: (ms: number) => Promise<void>;
  /** Loads the express app now (after start-up), so the first dashboard request does not wait for it. */
  warm: () => void;
} {
  // The express app, loaded when first needed (app.ts): proxy routes and /healthz never wait for it.
  let loaded: Promise<http.RequestListener> | undefined;
  const appOf = () => (loaded ??= import('./app.js').then((m) => m.buildApp(ctx) as unknown as http.RequestListener));
  const app = (req: http.IncomingMessage, res: http.ServerResponse) =>
    void appOf().then(
      (a) => a(req, res),
      (e: Error) => {
        ctx.log(`admin: cannot load the app: ${e.message}`);
        sendError(res, new GatewayError(500, 'internal', 'internal error'));
      },
    );
  const guard = (ctx.runaway ??= new RunawayGuard(
    () => ctx.config.guards.runaway,
    (e) => ctx.events.emitEvent(e),
  ));
  const pipeline = createPipeline({
    table: () => ctx.table,
    bodyLimit: () => ctx.config.limits.bodyBytes,
    injectStreamUsage: () => ctx.config.meter.injectStreamUsage,
    captureBodies: () => ctx.config.capture.bodies,
    bodyIdleMs: () => timeouts.bodyIdleMs,
    secrets: () => [
      ctx.adminToken,
      ctx.config.lava.secretKey,
      ctx.config.security.localKey,
      ...Object.values(ctx.config.providers).map((p) => p.apiKey),
    ],
    admit: async (ex) => {
      const b = ctx.config.budgets;
      if (!ctx.budget || !budgetsActive(b)) return undefined;
      const worst = await worstCase(ex, b.reserveOutputTokens ?? 4096);
      const project = ex.hints.session ? (ctx.attribution?.projectOf(ex.hints.session) ?? null) : null;
      const claim = { id: ex.init.id, tool: ex.init.tool, project, worst, model: ex.info.model };
      return admit(ctx, ctx.budget, claim);
    },
    guard: (ex) => guard.check(ex.init.tool, isFreeCall(ex.init.method, ex.init.path)),
    onStart: (r) => ctx.events.emitEvent({ type: 'request.started', request: r }),
    onEnd: (r) => recordRequest(ctx, r),
  });
  let hosts = new Set<string>();
  let ownOrigins = new Set<string>();
  const setPort = (port: number) => {
    hosts = allowedHosts({ port, boundHost, allowedOrigins: [] });
    ownOrigins = dashboardOrigins(port);
  };

  const options: http.ServerOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
  };
  const server = http.createServer(options, (req, res) => {
    const host = checkHost(req, hosts);
    if (!host.ok) return plainError(res, host.status, host.code, host.message);
    const target = originForm(req.url ?? '/', hosts);
    if (!target.ok) return plainError(res, target.status, target.code, target.message);
    const tagged = splitTag(target.url);
    if (!tagged) return plainError(res, 400, 'bad_tag', 'a route tag (/@<tag>/…) is 1–40 of a-z 0-9 . _ -');
    req.url = tagged.url;
    const path = tagged.tag === null ? target.path : pathOf(tagged.url);
    if (path === '/healthz') return healthz(ctx, res);
    if (isAdminPath(path)) {
      const o = checkAdminOrigin(req, ownOrigins);
      if (!o.ok) return plainError(res, o.status, o.code, o.message);
      cutSlowBody(req, timeouts.bodyIdleMs);
      return void app(req, res);
    }
    const kind = classify(req.method, tagged.url, path, ctx.table);
    if (kind) return void pipeline.handle(req, res, kind, proxyRefusal(ctx, req), tagged.tag);
    cutSlowBody(req, timeouts.bodyIdleMs);
    app(req, res);
  });
  // WebSocket upgrades (Codex CLI tries a Responses WebSocket first) are refused at once, so the
  // client falls back to plain HTTP without waiting for a timeout.
  server.on('upgrade', (_req, socket) => {
    const body = JSON.stringify({
      error: { message: 'WebSocket is not supported by Lava Desktop; use HTTP', code: 'websocket_unsupported' },
    });
    socket.end(
      `HTTP/1.1 426 Upgrade Required\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Headers that did not arrive in time (a client trickling them) get 408; anything else unparseable, 400.
    const line = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${line}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return { server, setPort, drained: pipeline.drained, warm: () => void appOf() };
}

/** Why a proxy request must be refused before it is forwarded, if it must. */
function proxyRefusal(ctx: GatewayContext, req: http.IncomingMessage): GatewayError | undefined {
  dropOwnCredentials(ctx, req);
  const origin = checkProxyOrigin(req, ctx.config.security.allowedOrigins);
  if (!origin.ok) return new GatewayError(origin.status, origin.code, origin.message);
  const localKey = ctx.config.security.localKey;
  if (localKey) {
    const given = req.headers['x-lava-desktop-key'] ?? givenCredential(req);
    if (typeof given !== 'string' || !safeEqual(given, localKey)) {
      return new GatewayError(
        401,
        'local_key_required',
        'this gateway requires its local key (security.localKey) as the API key or in x-lava-desktop-key',
      );
    }
    if (req.headers['x-lava-desktop-key'] === undefined) {
      // The local key was the client's API key (a header or `?key=`): it is not a provider credential, drop it.
      dropClientCredential(req);
    }
    delete req.headers['x-lava-desktop-key'];
  }
  if (ctx.paused)
    return new GatewayError(503, 'gateway_paused', 'Lava Desktop is paused; resume it from the dashboard or tray');
  return budgetRefusal(ctx, ctx.budget);
}

const NO_QUERY = new URL('http://x');

const pathOf = (url: string): string => {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
};

/** `GET /healthz`: up, the version, and whether records are being written (PRODUCT.md §3, §6). */
function healthz(ctx: GatewayContext, res: http.ServerResponse): void {
  const store = ctx.store.health();
  const body = JSON.stringify({ ok: store.state === 'ok', version: ctx.version, store });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The credential a client sent (a header, or `?key=`); the query is parsed only when it may hold one. */
function givenCredential(req: http.IncomingMessage): string | undefined {
  const raw = req.url ?? '/';
  return clientCredential(req.headers, raw.includes('key=') ? requestUrl(raw) : NO_QUERY);
}

/** Removes the client's credential: every header an SDK may use, and `?key=`. */
function dropClientCredential(req: http.IncomingMessage): void {
  for (const h of CREDENTIAL_HEADERS) delete req.headers[h];
  req.url = withoutQueryKey(req.url ?? '/');
}

/**
 * The gateway's own credentials never go upstream: the dashboard's session cookie (and any other
 * cookie: no provider API uses them), and the admin token if a client sent it as its API key.
 */
function dropOwnCredentials(ctx: GatewayContext, req: http.IncomingMessage): void {
  delete req.headers.cookie;
  const given = givenCredential(req);
  if (given && safeEqual(given, ctx.adminToken)) dropClientCredential(req);
}

function plainError(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendError(res, new GatewayError(status, code, message));
}
