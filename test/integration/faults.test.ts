/**
 * Faults a real `lava-desktop serve` must survive (issue 10, PRODUCT.md §6), each made for real:
 * a full disk (a small tmpfs, as root), a second gateway on the same data dir, a start-up that
 * fails after the port is bound, a data dir the user cannot write (as `nobody`), a client that
 * trickles its headers.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { baseConfig, startHarness } from './harness.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
const hasRunuser = spawnSync('sh', ['-c', 'command -v runuser']).status === 0;
if (!isRoot)
  console.warn('faults.test: the full-disk and read-only tests are skipped: they need root (tmpfs, runuser)');
else if (!hasRunuser) console.warn('faults.test: the read-only data dir test is skipped: no runuser on this machine');

let sims: Simulators;
let dir: string;
let configFile: string;
beforeAll(async () => {
  sims = await startSimulators();
  dir = await mkdtemp(join(tmpdir(), 'lava-faults-'));
  configFile = join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify(baseConfig(sims)));
});
/** Every process started here, so that a failing test leaves none behind. */
const started = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sims.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  /** The exit code, or the signal that ended the process. */
  exit: Promise<number | string | null>;
  out: () => string;
  err: () => string;
}

function spawnServe(dataDir: string, extra: string[] = [], command: string[] = [process.execPath]): Run {
  const [cmd, ...pre] = command;
  const child = spawn(
    cmd!,
    [...pre, BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile, ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<number | string | null>((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  return { child, exit, out: () => out, err: () => err };
}

/** Starts a serve and waits for its start line. */
async function serve(dataDir: string): Promise<Run & { url: string }> {
  const run = spawnServe(dataDir);
  const url = await new Promise<string>((resolve, reject) => {
    run.child.stdout!.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+) /.exec(run.out());
      if (m) resolve(m[1]!);
    });
    void run.exit.then((code) => reject(new Error(`serve exited (${code}): ${run.err()}`)));
  });
  return { ...run, url };
}

const stop = async (run: Run): Promise<number | string | null> => {
  run.child.kill('SIGTERM');
  return run.exit;
};
const errLines = (run: Run) =>
  run
    .err()
    .split('\n')
    .filter((l) => l.startsWith('lava-desktop:'));
const chat = (url: string, text: string) =>
  new OpenAI({ apiKey: 'x', baseURL: `${url}/openai/v1`, maxRetries: 0 }).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: text }],
  });
const healthz = async (url: string) =>
  (await (await fetch(`${url}/healthz`)).json()) as {
    ok: boolean;
    store: { state: string; unwritten: number; error?: string };
  };
const stored = async (url: string, dataDir: string) => {
  const info = JSON.parse(await readFile(join(dataDir, 'gateway.json'), 'utf8')) as { adminToken: string };
  const res = await fetch(`${url}/api/requests?limit=500`, { headers: { authorization: `Bearer ${info.adminToken}` } });
  return ((await res.json()) as { data: unknown[] }).data.length;
};

/** Fills a filesystem to the last byte. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [65536, 4096, 512, 1]) {
      const buf = Buffer.alloc(size, 7);
      try {
        for (;;) writeSync(fd, buf);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!isRoot)('a full disk (a 4 MB tmpfs as the data dir; needs root)', () => {
  const mnt = () => join(dir, 'small-disk');
  beforeAll(async () => {
    await mkdir(mnt(), { recursive: true });
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mnt()]);
    if (r.status !== 0) throw new Error(`mount failed: ${r.stderr.toString()}`);
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    spawnSync('umount', ['-l', mnt()]);
  });

  it('degrades, shows it everywhere, keeps proxying, and writes everything once the disk has room', async () => {
    const data = join(mnt(), 'data');
    const gw = await serve(data);
    try {
      for (let i = 0; i < 3; i++) await chat(gw.url, `before ${i}`);
      await expect.poll(async () => (await healthz(gw.url)).store).toMatchObject({ state: 'ok', unwritten: 0 });
      fill(join(mnt(), 'filler'));
      for (let i = 0; i < 5; i++) await chat(gw.url, `while full ${i}`); // tools keep working
      await expect
        .poll(async () => (await healthz(gw.url)).store, { timeout: 5000 })
        .toMatchObject({
          state: 'degraded',
          unwritten: 5,
        });
      const h = await healthz(gw.url);
      expect(h.ok).toBe(false);
      expect(h.store.error).toMatch(/^ENOSPC/);
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'status', '--data-dir', data]);
      expect(stdout).toMatch(/store: DEGRADED since .*ENOSPC.*5 not on disk yet/);
      expect(await stored(gw.url, data)).toBe(8); // the dashboard still sees them
      rmSync(join(mnt(), 'filler'));
      await expect
        .poll(async () => (await healthz(gw.url)).store, { timeout: 15_000 })
        .toMatchObject({
          state: 'ok',
          unwritten: 0,
        });
    } finally {
      gw.child.kill('SIGTERM');
    }
    expect(await gw.exit, gw.err()).toBe(0);
    const again = await serve(data);
    try {
      expect(await stored(again.url, data)).toBe(8);
    } finally {
      await stop(again);
    }
  });

  it('stopped while the disk is still full: one line says how many and where they went; the next start stores them', async () => {
    const data = join(mnt(), 'data');
    const gw = await serve(data);
    const before = await stored(gw.url, data);
    expect(before).toBe(8);
    fill(join(mnt(), 'filler'));
    for (let i = 0; i < 4; i++) await chat(gw.url, `at exit ${i}`);
    await expect.poll(async () => (await healthz(gw.url)).store.state, { timeout: 5000 }).toBe('degraded');
    expect(await stop(gw)).toBe(1);
    const lines = errLines(gw);
    expect(lines).toHaveLength(1);
    const m =
      /^lava-desktop: (\d+) records could not be written to .* \(ENOSPC.*\); saved them to (\S+) \(the next start stores them\)$/.exec(
        lines[0]!,
      );
    expect(m, lines[0]).toBeTruthy();
    expect(Number(m![1])).toBe(4);
    expect(existsSync(m![2]!)).toBe(true);
    expect(gw.err()).not.toMatch(/\n\s+at /); // no stack trace
    rmSync(join(mnt(), 'filler'));
    const again = await serve(data);
    try {
      expect(await stored(again.url, data)).toBe(before + 4);
      expect(existsSync(m![2]!)).toBe(false);
    } finally {
      await stop(again);
    }
  });
});

describe('one data dir, one gateway', () => {
  it('a second serve on a data dir in use exits 2 with one line naming the running one', async () => {
    const data = join(dir, 'shared');
    const first = await serve(data);
    try {
      const second = spawnServe(data);
      expect(await second.exit).toBe(2);
      const lines = errLines(second);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(first.url);
      expect(lines[0]).toContain(`pid ${first.child.pid}`);
      const info = JSON.parse(await readFile(join(data, 'gateway.json'), 'utf8')) as { pid: number };
      expect(info.pid).toBe(first.child.pid);
      expect((await healthz(first.url)).ok).toBe(true);
    } finally {
      await stop(first);
    }
  });

  it('a gateway killed with -9 leaves a stale lock that the next start takes over', async () => {
    const data = join(dir, 'stale');
    const first = await serve(data);
    first.child.kill('SIGKILL');
    await first.exit;
    expect(existsSync(join(data, 'gateway.lock'))).toBe(true);
    const second = await serve(data);
    expect(await stop(second), second.err()).toBe(0);
  });
});

describe('start-up failures', () => {
  it('a failure after the port is bound releases the port and exits 1 with one line', async () => {
    const data = join(dir, 'bad-gateway-json');
    await mkdir(join(data, 'gateway.json'), { recursive: true }); // the last start step cannot write it
    const port = await freePort();
    const run = spawnServe(data, ['--port', String(port)]);
    expect(await run.exit).toBe(1);
    const lines = errLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lava-desktop: cannot start: .*gateway\.json/);
    expect(run.out()).toBe(''); // no start line for a gateway that is not there
    expect(await connects(port)).toBe(false);
    expect(existsSync(join(data, 'gateway.lock'))).toBe(false);
  });

  it('a corrupt settings.json stops the start with one line naming it (exit 2), and is left as it was', async () => {
    const data = join(dir, 'bad-settings');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'settings.json'), '{"budgets": {"daily": 5,');
    const run = spawnServe(data);
    expect(await run.exit).toBe(2);
    const lines = errLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(data, 'settings.json'));
    expect(lines[0]).toContain('not valid JSON');
    expect(await readFile(join(data, 'settings.json'), 'utf8')).toBe('{"budgets": {"daily": 5,');
  });

  it.skipIf(!isRoot || !hasRunuser)(
    'a data dir the user cannot write: exit 1, one line, nothing left running',
    async () => {
      const data = join(dir, 'read-only');
      await mkdir(data, { recursive: true });
      await chmod(dir, 0o755);
      await chmod(data, 0o755); // readable by nobody, not writable
      await chmod(configFile, 0o644);
      const run = spawnServe(data, [], ['runuser', '-u', 'nobody', '--', process.execPath]);
      expect(await run.exit).toBe(1);
      const lines = errLines(run);
      expect(lines).toEqual([`lava-desktop: cannot write to the data dir ${data} (EACCES)`]);
      expect(run.out()).toBe('');
    },
  );
});

describe('Lava down', () => {
  it('in lava mode an unreachable Lava is a 502 in the client’s API shape, recorded', async () => {
    const port = await freePort(); // nothing listens there
    const h = await startHarness(
      { lava: { secretKey: 'aks_test_down_merchant_1', baseUrl: `http://127.0.0.1:${port}/v1/` } },
      { sims, withKeys: false },
    );
    try {
      const res = await fetch(`${h.gw.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(await h.record(res.headers.get('x-lava-desktop-request-id')!)).toMatchObject({
        status: 502,
        mode: 'lava',
        provider: 'anthropic',
      });
    } finally {
      await h.close();
    }
  });
});

describe('slow clients (default limits of a real serve)', () => {
  it('headers that take longer than 10 s are cut with 408', async () => {
    const data = join(dir, 'slow');
    const gw = await serve(data);
    try {
      const port = Number(new URL(gw.url).port);
      const t0 = Date.now();
      const out = await new Promise<string>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        let got = '';
        const text = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${'a'.repeat(60)}`;
        let i = 0;
        const tick = setInterval(
          () => (i < text.length && !s.destroyed ? s.write(text[i++]!) : clearInterval(tick)),
          250,
        );
        s.on('data', (b: Buffer) => (got += b.toString()));
        s.on('close', () => {
          clearInterval(tick);
          resolve(got);
        });
      });
      expect(out).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - t0).toBeLessThan(15_000); // the trickle alone would take 25 s
    } finally {
      await stop(gw);
    }
  }, 30_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
