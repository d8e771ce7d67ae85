/**
 * A stream cut by a budget cap (PRODUCT.md §14): the upstream is closed, the chunk that crossed
 * the cap reaches the client, and its stream ends with an error in its own API's shape — OpenAI
 * chat `data: {"error":…}`, a Responses `error` event with the next sequence number, Anthropic's
 * `event: error`, Gemini's `{"error":…}` (an SSE event, or the last element of its JSON array).
 * The cut waits for the end of an event, so the client never gets half of one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../lib/errors.js';
import type { Exchange } from '../metering/exchange.js';

type Shape = 'chat' | 'responses' | 'anthropic' | 'gemini-sse' | 'gemini-array';

/** What the client's stream looks like so far, as far as ending it needs. */
export class ClientTail {
  readonly shape: Shape;
  /** The last Responses `sequence_number` sent. */
  private seq = -1;
  /** The raw upstream text is passed on as is: a cut must wait for an event's end. */
  private readonly raw: boolean;
  private atBoundary = true;
  /** JSON array framing: nesting depth, inside a string, elements sent. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  private elements = 0;

  constructor(ex: Exchange, clientSse: boolean, raw: boolean) {
    const style = ex.clientStyle ?? ex.route!.style;
    if (style.id === 'anthropic') this.shape = 'anthropic';
    else if (style.id === 'google') this.shape = clientSse ? 'gemini-sse' : 'gemini-array';
    else this.shape = /\/responses\/?$/.test(ex.init.path) ? 'responses' : 'chat';
    this.raw = raw;
  }

  /** Follows what goes to the client (call with each chunk it is sent). */
  sent(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.shape === 'responses') {
      const all = [...text.matchAll(/"sequence_number"\s*:\s*(\d+)/g)];
      if (all.length) this.seq = Number(all.at(-1)![1]);
    }
    if (!this.raw) return;
    if (this.shape === 'gemini-array') this.scan(text);
    else if (text.trim()) this.atBoundary = /(\r\n\r\n|\n\n|\r\r)$/.test(text);
  }

  /** True when the client has been sent whole events only (a cut may happen now). */
  get canCut(): boolean {
    return this.shape === 'gemini-array' && this.raw ? this.depth <= 1 && !this.inString : this.atBoundary;
  }

  private scan(text: string): void {
    for (const c of text) {
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        if (this.depth === 1 && c === '{') this.elements++;
        this.depth++;
      } else if (c === '}' || c === ']') this.depth--;
    }
  }

  /** The text that ends the client's stream with `err`. */
  end(ex: Exchange, err: GatewayError): string {
    const style = ex.clientStyle ?? ex.route!.style;
    const body = JSON.stringify(style.errorBody(err.status, err.code, err.message));
    switch (this.shape) {
      case 'anthropic':
        return `event: error\ndata: ${body}\n\n`;
      case 'responses': {
        const e = { type: 'error', code: err.code, message: err.message, param: null, sequence_number: this.seq + 1 };
        return `event: error\ndata: ${JSON.stringify(e)}\n\n`;
      }
      case 'gemini-array':
        // After the closing `]` nothing more can be said; before the first element, the error is the first.
        if (this.depth <= 0 && this.elements > 0) return '';
        return `${this.depth <= 0 ? '[' : this.elements > 0 ? ',\r\n' : ''}${body}\r\n]`;
      default:
        return `data: ${body}\n\n`;
    }
  }
}

/** Stops the upstream, lets what it sent reach the client, then ends the client's stream with the error. */
export function cutStream(
  proxyRes: IncomingMessage,
  out: NodeJS.ReadableStream,
  res: ServerResponse,
  ex: Exchange,
  err: GatewayError,
  tail: ClientTail,
): void {
  proxyRes.destroy();
  setImmediate(() => {
    out.unpipe(res);
    if (res.writableEnded) return;
    res.end(tail.end(ex, err));
  });
}
