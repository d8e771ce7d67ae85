/**
 * Lava's browser login for CLIs and desktop apps (lava-api.md §4), used by `lava-desktop login`,
 * the admin API (`/api/login`) and the MCP tool `lava_login`. A one-shot loopback server receives
 * the code; a `state` nonce ties the callback to this login (a page that guesses the port cannot
 * inject its own code); the code is exchanged once for the secret key.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';

export class LoginError extends Error {}

export const DEFAULT_APP_URL = 'https://www.lava.so';

/** API base for the code exchange, from the app's host (as the Lava SDK chooses it). */
export function apiBaseFor(app: URL): string {
  if (app.hostname === 'localhost' || app.hostname === '127.0.0.1') return `${app.origin}/v1/`;
  if (app.hostname.includes('sandbox')) return 'https://sandbox-api.lavapayments.com/v1/';
  return 'https://api.lavapayments.com/v1/';
}

export interface BrowserLogin {
  /** The URL the user opens to sign in. */
  url: string;
  /** The secret key, once the browser came back and the code was exchanged. */
  done: Promise<string>;
  cancel(): void;
}

export interface LoginOptions {
  appUrl: string;
  /** Lava's API for the code exchange (default: chosen from the app URL). */
  apiUrl?: string;
  timeoutS: number;
}

/** Starts a login: listens for the callback and returns the URL to open; `done` settles later. */
export async function startBrowserLogin(opts: LoginOptions): Promise<BrowserLogin> {
  const app = new URL(opts.appUrl);
  const apiUrl = opts.apiUrl ?? apiBaseFor(app);
  const state = randomBytes(16).toString('hex');
  let settle!: (err: Error | undefined, code?: string) => void;
  const code = new Promise<string>((resolve, reject) => {
    settle = (err, value) => (err ? reject(err) : resolve(value!));
  });
  const server = http.createServer((req, res) => onCallback(req, res, state, finish));
  const timer = setTimeout(
    () => finish(new LoginError(`no answer from the browser within ${opts.timeoutS} s; start the login again`)),
    opts.timeoutS * 1000,
  );
  timer.unref();
  function finish(err: Error | undefined, value?: string): void {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
    settle(err, value);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${app.origin}/auth/connect?state=${state}&port=${port}`,
    done: code.then((c) => exchange(apiUrl, c)),
    cancel: () => finish(new LoginError('the login was cancelled')),
  };
}

function onCallback(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: string,
  finish: (err: Error | undefined, code?: string) => void,
): void {
  const page = (status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Lava Desktop</title><p>${text}</p>`);
  };
  if (req.method !== 'GET') return page(405, 'Method not allowed.');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/callback') return page(404, 'Not found.');
  if (url.searchParams.get('state') !== state) {
    page(400, 'This login link does not match the one Lava Desktop started. Start the login again.');
    return finish(
      new LoginError('the browser came back with a different state (a stale or foreign login link); nothing was saved'),
    );
  }
  const denied = url.searchParams.get('error');
  if (denied) {
    page(400, 'Login was cancelled. You can close this tab.');
    return finish(new LoginError(`login was not authorized in the browser (${denied})`));
  }
  const code = url.searchParams.get('code');
  if (!code) {
    page(400, 'Lava did not send a login code. Start the login again.');
    return finish(new LoginError('the browser came back without a login code'));
  }
  page(200, "You're logged in to Lava Desktop. You can close this tab and go back to where you started.");
  finish(undefined, code);
}

async function exchange(apiUrl: string, code: string): Promise<string> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  let res: Response;
  try {
    res = await fetch(`${base}auth/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new LoginError(`cannot reach Lava at ${new URL(base).host} to finish the login`);
  }
  const body = (await res.json().catch(() => ({}))) as { secret_key?: unknown; error?: unknown };
  if (!res.ok || typeof body.secret_key !== 'string') {
    const why = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new LoginError(`Lava refused the login code (${why}); codes expire after 60 s, start the login again`);
  }
  return body.secret_key;
}

export function openInBrowser(url: string, onFail: () => void): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['explorer', [url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', onFail);
    child.unref();
  } catch {
    onFail();
  }
}
