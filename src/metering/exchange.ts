/**
 * One proxied request, from arrival to its record: the tap that meters response bytes (a copy
 * of what goes to the client, decompressed when needed) and the record built at the end, with
 * whatever usage was seen, whether the request completed, failed or was aborted.
 */
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type { ApiStyle, RequestInfo, ResponseFacts, StreamMeter } from '../providers/types.js';
import type { Route, Translation } from '../pipeline/types.js';
import type { RequestRecord } from '../store/types.js';
import { emptyUsage, type Usage } from '../providers/usage.js';
import { PRICES_VERSION, priceOf } from '../prices/cost.js';
import { estimateUsage } from './estimate.js';
import { countNow } from './tokenizer.js';
import { scrub } from '../lib/redact.js';
import type { GatewayError } from '../lib/errors.js';

/** With `capture.bodies`, this much of each body is kept on the record. */
export const CAPTURE_CAP = 64 * 1024;

/** JSON bodies larger than this are passed on but not parsed for usage. */
const JSON_METER_CAP = 8 * 1024 * 1024;

export type Decompressor = zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;

/** A decompressor for a response's content-encoding (gzip, br, deflate), if it has one. */
export function decompressorFor(res: IncomingMessage): Decompressor | undefined {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') return zlib.createGunzip();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  if (encoding === 'deflate') return zlib.createInflate();
  return undefined;
}

export interface ExchangeInit {
  id: string;
  method: string;
  path: string;
  client: string;
  /** The route's `/@<tag>/` prefix, and the tool (from the tag or the User-Agent). */
  tag: string | null;
  tool: string | null;
  startedAt: Date;
  t0: number;
}

export class Exchange {
  route?: Route;
  info: RequestInfo = { stream: false };
  /** Body to send upstream (already read, maybe rewritten). */
  body?: Buffer;
  /** The client's API when it differs from the provider's (unified endpoints). */
  translation?: Translation;
  /** The API whose error shape the client expects (unified endpoints). */
  clientStyle?: ApiStyle;
  /** Parameters dropped in translation, for the x-lava-desktop-warning header. */
  warnings: string[] = [];
  /** The gateway added include_usage: hide the extra chunk from the client. */
  filterUsage = false;
  /** An OpenAI-style stream was sent without include_usage: no usage will come, keep text to estimate. */
  streamWithoutUsage = false;
  /** The gateway answers the request itself (no upstream call). */
  local?: 'count_tokens';
  /** Token counting, listing, reading: recorded at $0 (`costSource: "free"`). */
  free = false;
  status = 0;
  ttfbMs?: number;
  error?: string;
  lavaRequestId?: string;
  /** Bodies kept for debugging (`capture.bodies`), capped. */
  capture?: { request: string; response: string };
  /** Secrets that must not be kept in captured bodies (keys, tokens, the client's own credential). */
  secrets: (string | undefined)[] = [];
  clientKey?: string;
  /** Input tokens counted for a budget reservation (a stream's running cost starts from them). */
  inputTokens?: number;
  /** Under a hard budget: given the stream's cost so far, the refusal that cuts it (admission's check). */
  cap?: (partialCost: number) => GatewayError | undefined;
  /** What the request carries about its session (attribution joins it to the tool's files). */
  hints: { session?: string } = {};
  private meter?: StreamMeter;
  /** Raw stream text kept (capped) when usage must be estimated from it. */
  private kept?: { text: string; over: boolean };
  private json?: { decoder: StringDecoder; text: string; over: boolean };
  private inflate?: Decompressor;
  private tapDone: Promise<void> = Promise.resolve();
  private facts: ResponseFacts = {};

  constructor(readonly init: ExchangeInit) {}

  /** Sets up metering for an upstream response; call `tap` with each chunk. */
  onResponse(proxyRes: IncomingMessage): void {
    this.status = proxyRes.statusCode ?? 0;
    const lavaId = proxyRes.headers['x-lava-request-id'];
    if (typeof lavaId === 'string') this.lavaRequestId = lavaId;
    const type = String(proxyRes.headers['content-type'] ?? '');
    const style = this.route?.style;
    if (!style) return;
    if (type.includes('text/event-stream') || (this.info.stream && style.id === 'google' && type.includes('json'))) {
      // Under a hard budget the meter counts the output as it streams, for a stream cut by the cap.
      this.meter = style.streamMeter(this.route!.target.pathname + this.route!.target.search, this.cap && countNow);
      if (this.streamWithoutUsage) this.kept = { text: '', over: false };
    } else if (type.includes('json')) {
      this.json = { decoder: new StringDecoder('utf8'), text: '', over: false };
    } else if (!this.capture) return;
    const inflate = decompressorFor(proxyRes);
    if (inflate) {
      this.inflate = inflate;
      inflate.on('data', (b: Buffer) => this.read(b));
      this.tapDone = new Promise((resolve) => {
        inflate.once('end', resolve);
        inflate.once('error', () => resolve());
      });
    }
  }

  tap(chunk: Buffer): void {
    if (this.ttfbMs === undefined) this.ttfbMs = Math.round(performance.now() - this.init.t0);
    if (this.inflate) this.inflate.write(chunk);
    else this.read(chunk);
  }

  private streamDecoder?: StringDecoder;

  private read(chunk: Buffer): void {
    // Kept as the client reads it: decompressed.
    if (this.capture && this.capture.response.length < CAPTURE_CAP) {
      this.capture.response += chunk.toString(
        'utf8',
        0,
        Math.min(chunk.length, CAPTURE_CAP - this.capture.response.length),
      );
    }
    if (this.meter) {
      const text = (this.streamDecoder ??= new StringDecoder('utf8')).write(chunk);
      this.meter.push(text);
      if (this.kept && !this.kept.over) {
        this.kept.text += text;
        this.kept.over = this.kept.text.length > JSON_METER_CAP;
      }
    } else if (this.json && !this.json.over) {
      this.json.text += this.json.decoder.write(chunk);
      if (this.json.text.length > JSON_METER_CAP) {
        this.json.over = true;
        this.json.text = '';
      }
    }
  }

  /** Cost of a stream so far: its reported usage, or its input and the output counted while none is final. */
  partialCost(): number {
    const facts = this.meter?.facts();
    const usage = facts && this.runningUsage(facts);
    if (!usage || !this.route) return 0;
    return Number(
      priceOf(this.route.providerKey, facts.model ?? this.info.model, usage, this.init.startedAt).cost ?? 0,
    );
  }

  /**
   * The usage a stream has reached: what the provider reported, with the output counted from its
   * deltas when that is more and no final usage has come (the input counted for the reservation
   * when the provider has reported nothing yet).
   */
  private runningUsage(facts: ResponseFacts): Usage | undefined {
    if (facts.outputSoFar === undefined) return facts.usage;
    const base = facts.usage ?? { ...emptyUsage(), input_tokens: this.inputTokens ?? 0 };
    const output = Math.max(base.output_tokens, facts.outputSoFar);
    return { ...base, output_tokens: output, total_tokens: base.input_tokens + output };
  }

  /** Builds the record once the exchange is over; `outcome` says how it ended. */
  async finish(error?: string): Promise<RequestRecord> {
    this.inflate?.end();
    await this.tapDone;
    if (this.meter) this.facts = this.meter.facts();
    else if (this.json && !this.json.over && this.json.text && this.route) {
      try {
        this.facts = this.route.style.readJson(JSON.parse(this.json.text + this.json.decoder.end()));
      } catch {
        // not JSON after all: no usage from the body
      }
    }
    if (this.free) return this.record(error ?? this.error, undefined, 'none');
    // A stream cut before its final usage: billed for what was counted up to the cut.
    let usage: Usage | undefined = this.runningUsage(this.facts);
    let usageSource: RequestRecord['usageSource'] = !usage
      ? 'none'
      : this.facts.outputSoFar === undefined
        ? 'response'
        : 'estimated';
    const ok = this.status >= 200 && this.status < 300;
    if (this.info.characters !== undefined && ok) {
      usage = { ...emptyUsage(), characters: this.info.characters };
      usageSource = 'response';
    } else if (!usage && ok && this.info.model && !this.info.multipart) {
      const responseText =
        this.kept && !this.kept.over ? this.kept.text : this.json && !this.json.over ? this.json.text : '';
      usage = await estimateUsage(this.body?.toString('utf8'), responseText);
      if (usage) usageSource = 'estimated';
    }
    return this.record(error ?? this.error, usage, usageSource);
  }

  /** Captured bodies with every known secret masked: an upstream error may echo a key back. */
  private scrubbed(c: { request: string; response: string }): { request: string; response: string } {
    const injected = Object.values(this.route?.setHeaders ?? {}).map((v) => v.replace(/^Bearer\s+/i, ''));
    const secrets = [...this.secrets, ...injected];
    return { request: scrub(c.request, secrets), response: scrub(c.response, secrets) };
  }

  private record(
    error: string | undefined,
    usage: Usage | undefined,
    usageSource: RequestRecord['usageSource'],
  ): RequestRecord {
    const route = this.route;
    const model = this.facts.model ?? this.info.model;
    let price: { cost?: string; costSource: RequestRecord['costSource'] } = this.free
      ? { cost: '0', costSource: 'free' }
      : priceOf(route?.providerKey ?? '', model, usage, this.init.startedAt);
    if (price.costSource === 'unknown' && this.info.model && this.info.model !== model) {
      price = priceOf(route?.providerKey ?? '', this.info.model, usage, this.init.startedAt);
    }
    const r: RequestRecord = {
      id: this.init.id,
      startedAt: this.init.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.init.t0),
      provider: route?.providerKey ?? 'unknown',
      mode: route?.mode ?? 'direct',
      method: this.init.method,
      path: this.init.path,
      stream: this.info.stream,
      status: this.status,
      usageSource,
      costSource: price.costSource,
      pricesVersion: PRICES_VERSION,
      client: this.init.client,
      tag: this.init.tag,
      tool: this.init.tool,
      project: null,
      branch: null,
      session: this.hints.session ?? null,
      billing: route?.billing ?? null,
      origin: 'local',
      sync: 'local',
    };
    if (this.ttfbMs !== undefined) r.ttfbMs = this.ttfbMs;
    if (route) r.upstream = route.upstream.origin + route.upstream.pathname;
    if (model) r.model = model;
    if (error) r.error = error;
    if (usage) r.usage = usage;
    if (price.cost !== undefined) r.cost = price.cost;
    if (this.facts.responseId) r.responseId = this.facts.responseId;
    if (this.lavaRequestId) r.lavaRequestId = this.lavaRequestId;
    if (this.capture) r.bodies = this.scrubbed(this.capture);
    if (this.clientStyle) {
      r.clientFormat = this.clientStyle.id;
      if (route) r.providerFormat = route.style.id;
    }
    return r;
  }
}
