/**
 * The response side of the proxy: the upstream's bytes relayed to the client as they arrive
 * while the exchange meters them — as they are, with the gateway's injected usage chunk removed,
 * or translated to the client's API — and the endings told apart (client gone, upstream gone,
 * budget cap reached, Lava's own refusals).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { GatewayError } from '../lib/errors.js';
import { STYLES } from '../providers/registry.js';
import { isLavaError, lavaErrorFor } from '../lava/errors.js';
import type { ApiStyle } from '../providers/types.js';
import type { Translation } from '../pipeline/types.js';
import { decompressorFor, type Decompressor, type Exchange } from '../metering/exchange.js';
import type { ProxyOptions } from './options.js';
import { UsageChunkFilter } from './sse-filter.js';
import { ClientTail, cutStream, WholeEvents } from './cut-stream.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

export function relay(proxyRes: IncomingMessage, ex: Exchange, res: ServerResponse, opts: ProxyOptions): void {
  if (ex.route?.mode === 'lava' && lavaErrorFor(proxyRes.statusCode ?? 0, ex.route.style)) {
    return relayLavaError(proxyRes, ex, res, opts);
  }
  if (ex.translation) return relayTranslated(proxyRes, ex, ex.translation, res, opts);
  ex.onResponse(proxyRes);
  const type = String(proxyRes.headers['content-type'] ?? '');
  const isSse = type.includes('text/event-stream');
  const filter = ex.filterUsage && isSse;
  // Gemini streams without `alt=sse` are a JSON array sent piece by piece: metered, so cut too.
  const cap =
    isSse || (ex.info.stream && ex.route?.style.id === 'google' && type.includes('json')) ? ex.cap : undefined;
  // Under a cap the stream goes out in whole events (a cut must not leave half of one).
  const rewrite = filter || Boolean(cap);
  // Both read events: a compressed stream (an upstream that ignored `identity`) is decoded first.
  const decode = rewrite ? decoderFor(proxyRes, res) : undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(proxyRes.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k)) continue;
    if (rewrite && k === 'content-length') continue;
    if (decode && k === 'content-encoding') continue;
    headers[k] = v;
  }
  res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, headers);
  if (typeof res.flushHeaders === 'function' && isSse) res.flushHeaders();
  let cut: GatewayError | undefined;
  const source = decode ? proxyRes.pipe(decode) : proxyRes;
  const out = filter ? source.pipe(new UsageChunkFilter()) : cap ? source.pipe(new WholeEvents(!isSse)) : proxyRes;
  const tail = cap && new ClientTail(ex, isSse);
  if (tail) out.on('data', (c: Buffer) => tail.sent(c));
  proxyRes.on('data', (chunk: Buffer) => {
    ex.tap(chunk);
    if (!cap || !tail || cut) return;
    cut = cap(ex.partialCost());
    if (cut) cutStream(proxyRes, out, res, ex, cut, tail);
  });
  out.pipe(res);
  const upstreamGone = endWithUpstream(proxyRes, res, () => Boolean(cut));
  res.once('close', () => {
    let error: string | undefined;
    if (cut) error = `budget reached: stream cut (${cut.message})`;
    else error = closeReason(proxyRes, res, upstreamGone());
    void ex.finish(error).then(opts.onEnd);
  });
}

/**
 * When the upstream dies mid-body, end the client's response too (or it would wait forever), and
 * remember that it was the upstream, not the client, that went away.
 */
function endWithUpstream(proxyRes: IncomingMessage, res: ServerResponse, cutByUs: () => boolean): () => boolean {
  let gone = false;
  proxyRes.once('close', () => {
    if (cutByUs() || proxyRes.complete || res.writableEnded) return;
    gone = !res.destroyed;
    res.destroy();
  });
  return () => gone;
}

function closeReason(proxyRes: IncomingMessage, res: ServerResponse, upstreamGone: boolean): string | undefined {
  if (upstreamGone || (res.writableFinished && !proxyRes.complete)) return 'upstream closed the connection early';
  if (!res.writableFinished) return 'aborted by client';
  return undefined;
}

/** A response in another API than the client's: JSON and errors rebuilt whole, streams translated event by event. */
function relayTranslated(
  proxyRes: IncomingMessage,
  ex: Exchange,
  t: Translation,
  res: ServerResponse,
  opts: ProxyOptions,
): void {
  ex.onResponse(proxyRes);
  const status = proxyRes.statusCode ?? 502;
  const sse = String(proxyRes.headers['content-type'] ?? '').includes('text/event-stream');
  const cap = sse ? ex.cap : undefined;
  let cut: GatewayError | undefined;
  let out: NodeJS.ReadableStream = proxyRes;
  // The translator sends whole events only: a cut may happen after any chunk.
  const tail = cap && new ClientTail(ex, true);
  proxyRes.on('data', (chunk: Buffer) => {
    ex.tap(chunk);
    if (!cap || !tail || cut) return;
    cut = cap(ex.partialCost());
    if (cut) cutStream(proxyRes, out, res, ex, cut, tail);
  });
  const upstreamGone = endWithUpstream(proxyRes, res, () => Boolean(cut));
  res.once('close', () => {
    const error = cut ? `budget reached: stream cut (${cut.message})` : closeReason(proxyRes, res, upstreamGone());
    void ex.finish(error).then(opts.onEnd);
  });
  if (status < 400 && sse) {
    res.writeHead(status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const decode = decoderFor(proxyRes, res);
    if (decode) out = out.pipe(decode);
    for (const step of t.stream()) out = out.pipe(step);
    if (tail) out.on('data', (c: Buffer) => tail.sent(c));
    out.pipe(res);
    return;
  }
  const chunks: Buffer[] = [];
  proxyRes.on('data', (c: Buffer) => chunks.push(c));
  proxyRes.once('end', () => {
    const text = decodeBody(Buffer.concat(chunks), String(proxyRes.headers['content-encoding'] ?? ''));
    let body: string;
    if (status >= 400) body = errorForClient(status, text, STYLES[t.client]);
    else {
      try {
        body = JSON.stringify(t.json(JSON.parse(text) as Record<string, unknown>));
      } catch {
        body = errorForClient(502, 'the provider answered with something that is not JSON', STYLES[t.client]);
      }
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/** A decompressor for the response's content-encoding, if it has one. */
function decoderFor(proxyRes: IncomingMessage, res: ServerResponse): Decompressor | undefined {
  const d = decompressorFor(proxyRes);
  // Bytes that do not decompress end the client's response; they must not crash the gateway.
  d?.once('error', () => res.destroy());
  return d;
}

/** The body as text; a body that does not decompress reads as empty (answered as not JSON). */
function decodeBody(buf: Buffer, encoding: string): string {
  try {
    if (encoding === 'gzip') return zlib.gunzipSync(buf).toString('utf8');
    if (encoding === 'br') return zlib.brotliDecompressSync(buf).toString('utf8');
    if (encoding === 'deflate') return zlib.inflateSync(buf).toString('utf8');
  } catch {
    return '';
  }
  return buf.toString('utf8');
}

/** Lava's 401/402 are small: read them whole and, if they are Lava's own, answer in words that say what to do. */
function relayLavaError(proxyRes: IncomingMessage, ex: Exchange, res: ServerResponse, opts: ProxyOptions): void {
  const status = proxyRes.statusCode ?? 502;
  const chunks: Buffer[] = [];
  proxyRes.on('data', (c: Buffer) => chunks.push(c));
  proxyRes.once('end', () => {
    const original = Buffer.concat(chunks).toString('utf8');
    const mapped = isLavaError(original) ? lavaErrorFor(status, ex.route!.style) : undefined;
    const body = mapped?.body ?? original;
    const lavaId = proxyRes.headers['x-lava-request-id'];
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...(lavaId ? { 'x-lava-request-id': lavaId } : {}),
    });
    res.end(body);
    ex.status = status;
    void ex.finish(mapped?.record ?? `upstream status ${status}`).then(opts.onEnd);
  });
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
