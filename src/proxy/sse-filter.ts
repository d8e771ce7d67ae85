/**
 * Removes what the gateway added to an OpenAI-compatible stream when it injected
 * `stream_options.include_usage` for a client that did not ask: the usage-only chunk
 * (`"choices":[]` + `usage`) and the `"usage":null` member of the other chunks. Events are split
 * incrementally (they may straddle TCP chunks; CRLF framing too) and passed on as soon as
 * complete; untouched events keep their exact bytes. Backpressure is the pipe's.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;
const NULL_USAGE_A = /,\s*"usage"\s*:\s*null/g;
const NULL_USAGE_B = /"usage"\s*:\s*null\s*,/g;

export function rewriteEvent(event: string): string {
  if (/"usage"\s*:\s*\{/.test(event)) {
    const data = event
      .split(/\r\n|\n|\r/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    try {
      const parsed = JSON.parse(data) as { choices?: unknown[] };
      if (Array.isArray(parsed.choices) && parsed.choices.length === 0) return '';
    } catch {
      return event;
    }
  }
  if (!event.includes('"usage"')) return event;
  return event.replace(NULL_USAGE_A, '').replace(NULL_USAGE_B, '');
}

export class UsageChunkFilter extends Transform {
  private buf = '';
  private readonly decoder = new StringDecoder('utf8');

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf += this.decoder.write(chunk);
    let out = '';
    for (let m = BOUNDARY.exec(this.buf); m; m = BOUNDARY.exec(this.buf)) {
      const end = m.index + m[0].length;
      out += rewriteEvent(this.buf.slice(0, end));
      this.buf = this.buf.slice(end);
    }
    cb(null, out ? Buffer.from(out) : undefined);
  }

  override _flush(cb: TransformCallback): void {
    const rest = this.buf + this.decoder.end();
    this.buf = '';
    cb(null, rest ? Buffer.from(rewriteEvent(rest)) : undefined);
  }
}
