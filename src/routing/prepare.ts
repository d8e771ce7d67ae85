/**
 * Preparing a proxy request before it is forwarded: the route (from the classification, never
 * looked up twice), the body read once (limit → 413, a stalled client → 408, gone → 499), what it
 * asks for (model, stream; multipart forms too), the unified endpoints' plan and translation, the
 * stream-usage option where due, and bodies kept for `capture.bodies`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../lib/errors.js';
import { STYLES } from '../providers/registry.js';
import { hasBody, readBody } from '../proxy/body.js';
import { CAPTURE_CAP, type Exchange } from '../metering/exchange.js';
import { formFields, isMultipart } from '../metering/multipart.js';
import { collectText } from '../metering/estimate.js';
import { resolveRoute, type RouteTable } from './resolve.js';
import { planRewrite, planUnified, REWRITE_PREFIX } from './plan.js';
import type { RouteKind } from './classify.js';
import { sessionHints } from '../attribution/hints.js';

export interface PrepareOptions {
  table: () => RouteTable;
  bodyLimit: () => number;
  injectStreamUsage: () => boolean;
  captureBodies: () => boolean;
  /** The gateway's secrets (keys, tokens), masked in captured bodies. */
  secrets: () => (string | undefined)[];
  /** How long a request body may pause between bytes (default 30 s). */
  bodyIdleMs?: () => number;
}

/** Fills the exchange's route, body and plan; throws the refusal (in the client's shape) when there is one. */
export async function prepare(
  req: IncomingMessage,
  res: ServerResponse,
  ex: Exchange,
  kind: RouteKind,
  refusal: GatewayError | undefined,
  opts: PrepareOptions,
): Promise<void> {
  if (kind.kind === 'unified') {
    ex.clientStyle = STYLES[kind.client];
    if (refusal) throw refusal;
    await prepareUnified(req, ex, opts);
    // Which provider a bare model name was routed to (PRODUCT.md §3).
    res.setHeader('x-lava-desktop-provider', ex.route!.providerKey);
    return;
  }
  ex.route = resolveRoute(
    req.url ?? '/',
    req.headers,
    opts.table(),
    kind.kind === 'native' ? kind.provider : undefined,
  );
  if (refusal) throw refusal;
  if (hasBody(req)) await prepareBody(req, ex, opts);
}

/** Reads the whole request body (limit → 413, stalled → 408, client gone → 499). */
async function readWhole(req: IncomingMessage, opts: PrepareOptions): Promise<Buffer> {
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

async function prepareBody(req: IncomingMessage, ex: Exchange, opts: PrepareOptions): Promise<void> {
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
async function prepareUnified(req: IncomingMessage, ex: Exchange, opts: PrepareOptions): Promise<void> {
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
function setBody(req: IncomingMessage, ex: Exchange, opts: PrepareOptions, json: unknown, original: Buffer): void {
  let body = original;
  const route = ex.route!;
  if (json !== undefined) {
    ex.info = route.style.requestInfo(json, route.upstream.pathname);
    ex.hints = sessionHints(req.headers, json);
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

function wantsUsageInjection(json: unknown, style: string, path: string, opts: PrepareOptions): boolean {
  if (style !== 'openai' || !opts.injectStreamUsage() || !path.endsWith('/chat/completions')) return false;
  const b = json as { stream?: unknown; stream_options?: { include_usage?: unknown } };
  return b.stream === true && b.stream_options?.include_usage !== true;
}

/** Token counting for a provider without a counting call: the tokenizer counts the prompt's text. */
export async function countLocally(ex: Exchange): Promise<string> {
  const { countTokens } = await import('gpt-tokenizer');
  const body = JSON.parse(ex.body?.toString('utf8') ?? '{}') as unknown;
  return JSON.stringify({ input_tokens: countTokens(collectText(body).join('\n')) });
}
