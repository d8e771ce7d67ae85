/**
 * A stream cut by a budget cap (PRODUCT.md §14): the upstream is closed, the chunk that crossed
 * the cap reaches the client, and its stream ends with an error in its own API's shape — OpenAI
 * chat `data: {"error":…}`, a Responses `error` event with the next sequence number, Anthropic's
 * `event: error`, Gemini's `{"error":…}` (an SSE event, or the last element of its JSON array).
 * Under a cap the stream goes out in whole events, so a cut never leaves half of one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import type { GatewayError } from '../lib/errors.js';
import type { Exchange } from '../metering/exchange.js';

type Shape = 'chat' | 'responses' | 'anthropic' | 'gemini-sse' | 'gemini-array';

/** Where a JSON array's text stands: nesting depth, inside a string, elements begun. */
class ArrayScan {
  depth = 0;
  elements = 0;
  private inString = false;
  private escaped = false;

  /** Reads `text` on; returns the offset just after the last complete element (or closing bracket), -1 if none. */
  read(text: string): number {
    let end = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        if (this.depth === 1 && c === '{') this.elements++;
        this.depth++;
      } else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth <= 1) end = i + 1;
      }
    }
    return end;
  }
}

/** The end of the last whole SSE event in `text` (any of the three framings), -1 if none. */
function lastEventEnd(text: string): number {
  const at = (sep: string) => {
    const i = text.lastIndexOf(sep);
    return i < 0 ? -1 : i + sep.length;
  };
  return Math.max(at('\r\n\r\n'), at('\n\n'), at('\r\r'));
}

/**
 * Passes a stream on in whole events (SSE) or whole elements (a JSON array): a tail that is not
 * complete yet waits for the rest. The client's parser could not use it earlier anyway, and a
 * cut then never leaves half an event behind.
 */
export class WholeEvents extends Transform {
  private buf = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly scan?: ArrayScan;

  constructor(jsonArray: boolean) {
    super();
    if (jsonArray) this.scan = new ArrayScan();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const text = this.decoder.write(chunk);
    const from = this.buf.length;
    this.buf += text;
    let end: number;
    if (this.scan) {
      const at = this.scan.read(text);
      end = at < 0 ? -1 : from + at;
    } else end = lastEventEnd(this.buf);
    if (end > 0) {
      this.push(this.buf.slice(0, end));
      this.buf = this.buf.slice(end);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    const rest = this.buf + this.decoder.end();
    if (rest) this.push(rest);
    cb();
  }
}

/** What the client's stream looks like so far, as far as ending it needs. */
export class ClientTail {
  readonly shape: Shape;
  /** The last Responses `sequence_number` sent. */
  private seq = -1;
  private readonly array = new ArrayScan();

  constructor(ex: Exchange, clientSse: boolean) {
    const style = ex.clientStyle ?? ex.route!.style;
    if (style.id === 'anthropic') this.shape = 'anthropic';
    else if (style.id === 'google') this.shape = clientSse ? 'gemini-sse' : 'gemini-array';
    else this.shape = /\/responses\/?$/.test(ex.init.path) ? 'responses' : 'chat';
  }

  /** Follows what goes to the client (call with each chunk it is sent). */
  sent(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.shape === 'responses') {
      const all = [...text.matchAll(/"sequence_number"\s*:\s*(\d+)/g)];
      if (all.length) this.seq = Number(all.at(-1)![1]);
    } else if (this.shape === 'gemini-array') this.array.read(text);
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
      case 'gemini-array': {
        // After the closing `]` nothing more can be said; before the first element, the error is the first.
        const { depth, elements } = this.array;
        if (depth <= 0 && elements > 0) return '';
        return `${depth <= 0 ? '[' : elements > 0 ? ',\r\n' : ''}${body}\r\n]`;
      }
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
