/**
 * Reads a request body up to a limit. Past the limit it keeps draining what the client sends
 * (so the client reads a 413, not a connection reset) and reports the overflow. A client that
 * stops sending for `idleMs` is reported as slow (the caller answers 408 and closes): a stalled
 * upload must not hold a connection and its memory for minutes.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult =
  { ok: true; body: Buffer } | { ok: false; tooLarge: true } | { ok: false; aborted: true } | { ok: false; slow: true };

export function readBody(req: IncomingMessage, limit: number, idleMs = 30_000): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    // Drained so the client reads its 413, but a drain that stalls is cut like any slow body.
    req.socket.setTimeout(idleMs, () => req.socket.destroy());
    req.once('end', () => req.socket.setTimeout(0));
    req.resume();
    return Promise.resolve({ ok: false, tooLarge: true });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const idle = setTimeout(() => onIdle(), idleMs);
    const onIdle = () => {
      if (req.complete) return;
      if (over) return void req.socket.destroy(); // a drain past the limit that stalled
      over = true;
      chunks.length = 0;
      resolve({ ok: false, slow: true });
    };
    req.once('close', () => clearTimeout(idle));
    req.once('end', () => clearTimeout(idle));
    const onData = (chunk: Buffer) => {
      idle.refresh();
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!over) resolve({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    });
    req.once('close', () => {
      if (!req.complete && !over) resolve({ ok: false, aborted: true });
    });
  });
}

/** True when the request says it carries a body. */
export const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
