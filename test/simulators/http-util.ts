/** Small helpers shared by the provider simulators: real HTTP servers on port 0. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Simulator {
  url: string;
  received: Received[];
  /** Responses whose connection closed before the simulator finished them (client or proxy abort). */
  aborted: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, bytes: Buffer) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<Simulator> {
  const received: Received[] = [];
  const state = { aborted: 0 };
  const server = http.createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) state.aborted++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const body = bytes.toString('utf8');
      // For tests in another process (Playwright): what this simulator has received.
      if (req.url === '/__sim/received') return sendJson(res, 200, received);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      void Promise.resolve(handler(req, res, body, bytes)).catch((e: Error) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: e.message } });
        else res.destroy();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get aborted() {
      return state.aborted;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes SSE frames one by one with a pause between them (streams must arrive chunk by chunk);
 * with `split`, each write ends in the middle of a frame (the rest of one frame and the first
 * half of the next), as TCP may cut events.
 */
export async function writeFrames(res: ServerResponse, frames: string[], gapMs: number, split = false): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const pieces = split ? straddle(frames) : frames;
  for (const f of pieces) {
    if (res.destroyed) return;
    res.write(f);
    if (gapMs) await sleep(gapMs);
  }
  res.end();
}

/** The frames re-cut so that each piece but the last ends halfway through a frame. */
function straddle(frames: string[]): string[] {
  const out: string[] = [];
  let carry = '';
  for (const f of frames) {
    out.push(carry + f.slice(0, f.length >> 1));
    carry = f.slice(f.length >> 1);
  }
  out.push(carry);
  return out;
}

/** A deterministic token count for text, so tests can predict usage: one token per 4 characters, at least 1. */
export const tokensOf = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Options a test can put in the prompt text: `[gap=50]` (ms between frames), `[chunks=N]`, `[split]` (frames cut in two). */
export function knobs(text: string): { gap: number; chunks: number; split: boolean } {
  const gap = Number(/\[gap=(\d+)\]/.exec(text)?.[1] ?? 0);
  const chunks = Number(/\[chunks=(\d+)\]/.exec(text)?.[1] ?? 3);
  return { gap, chunks, split: text.includes('[split]') };
}

export const REPLY_WORDS = ['Hello', ' from', ' the', ' simulator', '.', ' Tokens', ' flow', ' here', '.'];

/** The reply's words, one per chunk: `REPLY_WORDS` over and over for a long reply (`[chunks=40]`). */
export const replyWords = (chunks: number): string[] =>
  Array.from({ length: chunks }, (_, i) => REPLY_WORDS[i % REPLY_WORDS.length]!);
