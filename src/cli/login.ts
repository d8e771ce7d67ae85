/**
 * `lava-desktop login`: Lava's browser login for CLIs (lava-api.md §4). A one-shot loopback
 * server receives the code; a `state` nonce ties the callback to this login (a page that guesses
 * the port cannot inject its own code); the code is exchanged once and the secret key is saved
 * to the data dir's secrets.json (0600), never printed in full.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { intFlag, parse, UsageError } from './args.js';
import { defaultDataDir, ensureDataDir, writeJsonAtomic } from '../data-dir.js';
import { deepMerge, readJsonObject } from '../config.js';
import { mask } from '../admin/redact.js';

export const LOGIN_HELP = `Usage: lava-desktop login [--data-dir DIR] [--no-browser] [--timeout S]

Signs in to Lava in your browser and saves the returned secret key in <data-dir>/secrets.json (mode 0600).
  --no-browser   print the URL instead of opening a browser
  --timeout S    give up after S seconds (default 120)
  --app-url URL  Lava's web app (default https://www.lava.so, or LAVA_APP_URL)
  --api-url URL  Lava's API for the code exchange (default: chosen from the app URL, or LAVA_BASE_URL)`;

class LoginError extends Error {}

export async function login(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      'data-dir': { type: 'string' },
      'no-browser': { type: 'boolean' },
      timeout: { type: 'string' },
      'app-url': { type: 'string' },
      'api-url': { type: 'string' },
    },
    'login',
  );
  if (values.help) {
    console.log(LOGIN_HELP);
    return 0;
  }
  const timeoutS = intFlag(values.timeout, 'timeout', 1, 3600) ?? 120;
  const appUrl = values['app-url'] ?? process.env.LAVA_APP_URL ?? 'https://www.lava.so';
  if (!URL.canParse(appUrl)) throw new UsageError(`--app-url: "${appUrl}" is not a URL`);
  const apiUrl = values['api-url'] ?? process.env.LAVA_BASE_URL ?? apiBaseFor(new URL(appUrl));
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  try {
    const code = await waitForCode(new URL(appUrl), timeoutS, !values['no-browser']);
    const creds = await exchange(apiUrl, code);
    const file = await saveSecret(dataDir, creds.secret_key);
    console.log(`Logged in to Lava: secret key ${mask(creds.secret_key)} saved to ${file}`);
    console.log('Restart a running gateway (lava-desktop serve) to use it.');
    return 0;
  } catch (e) {
    if (e instanceof LoginError) {
      console.error(`lava-desktop login: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** API base for the code exchange, from the app's host (as the Lava SDK chooses it). */
export function apiBaseFor(app: URL): string {
  if (app.hostname === 'localhost' || app.hostname === '127.0.0.1') return `${app.origin}/v1/`;
  if (app.hostname.includes('sandbox')) return 'https://sandbox-api.lavapayments.com/v1/';
  return 'https://api.lavapayments.com/v1/';
}

function waitForCode(app: URL, timeoutS: number, openBrowser: boolean): Promise<string> {
  const state = randomBytes(16).toString('hex');
  return new Promise((resolvePromise, reject) => {
    const done = (err: Error | undefined, code?: string) => {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      if (err) reject(err);
      else resolvePromise(code!);
    };
    const server = http.createServer((req, res) => {
      const page = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`<!doctype html><meta charset="utf-8"><title>Lava Desktop</title><p>${text}</p>`);
      };
      if (req.method !== 'GET') return page(405, 'Method not allowed.');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') return page(404, 'Not found.');
      if (url.searchParams.get('state') !== state) {
        page(400, 'This login link does not match the one Lava Desktop started. Run lava-desktop login again.');
        return done(
          new LoginError(
            'the browser came back with a different state (a stale or foreign login link); nothing was saved',
          ),
        );
      }
      const denied = url.searchParams.get('error');
      if (denied) {
        page(400, 'Login was cancelled. You can close this tab.');
        return done(new LoginError(`login was not authorized in the browser (${denied})`));
      }
      const code = url.searchParams.get('code');
      if (!code) {
        page(400, 'Lava did not send a login code. Run lava-desktop login again.');
        return done(new LoginError('the browser came back without a login code'));
      }
      page(200, "You're logged in to Lava Desktop. You can close this tab and return to your terminal.");
      done(undefined, code);
    });
    const timer = setTimeout(
      () => done(new LoginError(`no answer from the browser within ${timeoutS} s; run lava-desktop login again`)),
      timeoutS * 1000,
    );
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      const url = `${app.origin}/auth/connect?state=${state}&port=${port}`;
      console.log(`Open this URL to log in to Lava: ${url}`);
      if (openBrowser) openInBrowser(url);
    });
  });
}

function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['explorer', [url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => console.error('(could not open a browser: open the URL above yourself)'));
    child.unref();
  } catch {
    console.error('(could not open a browser: open the URL above yourself)');
  }
}

async function exchange(apiUrl: string, code: string): Promise<{ secret_key: string }> {
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
    throw new LoginError(`Lava refused the login code (${why}); codes expire after 60 s, run lava-desktop login again`);
  }
  return { secret_key: body.secret_key };
}

async function saveSecret(dataDir: string, secretKey: string): Promise<string> {
  await ensureDataDir(dataDir);
  const file = join(dataDir, 'secrets.json');
  const current = existsSync(file) ? readJsonObject(file) : {};
  await writeJsonAtomic(file, deepMerge(current, { lava: { secretKey } }), 0o600);
  return file;
}
