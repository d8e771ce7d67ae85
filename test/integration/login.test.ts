/** `lava-desktop login` end to end against the Lava simulator; the test plays the browser. */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type Simulators } from '../simulators/index.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
let sims: Simulators;
let dir: string;
beforeAll(async () => {
  sims = await startSimulators();
  dir = await mkdtemp(join(tmpdir(), 'lava-login-'));
});
afterAll(async () => {
  await sims.close();
  await rm(dir, { recursive: true, force: true });
});

function startLogin(extra: string[] = []) {
  const child = spawn(
    process.execPath,
    [BIN, 'login', '--no-browser', '--app-url', sims.lava.url, '--data-dir', dir, ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const url = new Promise<string>((resolve) => {
    child.stdout.on('data', () => {
      const m = /(http:\/\/\S+\/auth\/connect\?\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  const exit = new Promise<number | null>((r) => child.once('exit', r));
  return { url, exit, out: () => out, err: () => err };
}

/** The browser: open the login URL, follow Lava's redirect back to the CLI's callback. */
async function browse(url: string): Promise<Response> {
  const lava = await fetch(url, { redirect: 'manual' });
  return fetch(lava.headers.get('location')!);
}

describe('lava-desktop login', () => {
  it('saves the secret key returned for the code, 0600, and shows it masked', async () => {
    const run = startLogin();
    const page = await browse(await run.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You're logged in");
    expect(await run.exit).toBe(0);
    const file = join(dir, 'secrets.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ lava: { secretKey: sims.lava.login.secretKey } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(run.out()).toContain('aks_…0001');
    expect(run.out()).not.toContain(sims.lava.login.secretKey);
  });

  it('refuses a callback with another state, and a denied login, exit 1 with a clear message', async () => {
    const run = startLogin();
    const url = new URL(await run.url);
    const port = url.searchParams.get('port');
    const forged = await fetch(`http://127.0.0.1:${port}/callback?code=evil&state=not-the-state`);
    expect(forged.status).toBe(400);
    expect(await run.exit).toBe(1);
    expect(run.err()).toContain('different state');

    sims.lava.login.deny = true;
    try {
      const denied = startLogin();
      expect((await browse(await denied.url)).status).toBe(400);
      expect(await denied.exit).toBe(1);
      expect(denied.err()).toContain('not authorized');
    } finally {
      sims.lava.login.deny = false;
    }
  });

  it('gives up after the timeout', async () => {
    const run = startLogin(['--timeout', '1']);
    expect(await run.exit).toBe(1);
    expect(run.err()).toContain('within 1 s');
  });
});
