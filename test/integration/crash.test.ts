/**
 * Crash safety of a real `lava-desktop serve` process: kill -9 under load, restart, count. Every
 * data file must parse, every request that completed more than one flush interval before the
 * kill must be there exactly once, and the rollups must agree with the records.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Lava } from '@lavapayments/nodejs';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { baseConfig } from './harness.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
/** PRODUCT.md §6: at most the last flush interval (≤ 250 ms) of records may be lost. */
const LOSS_WINDOW_MS = 250;

let sims: Simulators;
let dir: string;
let configFile: string;
beforeAll(async () => {
  sims = await startSimulators();
  dir = await mkdtemp(join(tmpdir(), 'lava-crash-'));
  configFile = join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify(baseConfig(sims)));
});
afterAll(async () => {
  await sims.close();
  await rm(dir, { recursive: true, force: true });
});

function serve(config = configFile, dataDir = join(dir, 'data')): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      // One start line with the URL and the dashboard URL carrying the login token.
      const m = /(http:\/\/127\.0\.0\.1:\d+) .*\1\/#token=[\w-]{20,}/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
}

async function allJsonFilesParse(root: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.json')) continue;
    JSON.parse(await readFile(join(e.parentPath, e.name), 'utf8'));
    n++;
  }
  return n;
}

describe('kill -9 under load', () => {
  it('loses at most the last flush interval, duplicates nothing, reconciles rollups', async () => {
    const first = await serve();
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(dir, 'data', 'gateway.json'))).mode & 0o777).toBe(0o600);
    const client = new OpenAI({ apiKey: 'x', baseURL: `${first.url}/openai/v1`, maxRetries: 0 });
    const done: { id: string; at: number }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const { response } = await client.chat.completions
            .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'load' }] })
            .withResponse();
          done.push({ id: response.headers.get('x-lava-desktop-request-id')!, at: Date.now() });
        } catch {
          return; // the process is gone
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    running = false;
    await Promise.all(workers);
    expect(done.length).toBeGreaterThan(50);

    expect(await allJsonFilesParse(join(dir, 'data'))).toBeGreaterThan(1);

    const second = await serve();
    try {
      const info = JSON.parse(await readFile(join(dir, 'data', 'gateway.json'), 'utf8')) as { adminToken: string };
      const lava = new Lava(info.adminToken, { baseUrl: `${second.url}/v1/` });
      const stored: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await lava.requests.list({ limit: 100, cursor });
        stored.push(...page.data.map((r) => r.request_id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(new Set(stored).size).toBe(stored.length);
      const storedSet = new Set(stored);
      const mustHave = done.filter((d) => d.at < killedAt - LOSS_WINDOW_MS);
      const missing = mustHave.filter((d) => !storedSet.has(d.id));
      expect(missing).toEqual([]);
      const lost = done.filter((d) => !storedSet.has(d.id));
      console.log(
        `crash test: ${done.length} completed, ${stored.length} stored, ${lost.length} lost (latest ${lost.length ? killedAt - Math.min(...lost.map((d) => d.at)) : 0} ms before the kill)`,
      );
      const usage = await lava.usage.retrieve({ start: new Date(Date.now() - 86_400_000).toISOString() });
      expect(usage.totals.total_requests).toBe(stored.length);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  });
});

describe('SIGTERM', () => {
  it('finishes the in-flight stream, flushes its record, removes gateway.json and exits 0', async () => {
    const { child, url } = await serve();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const res = await fetch(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'slow [gap=100] [chunks=8]' }],
      }),
    });
    const id = res.headers.get('x-lava-desktop-request-id')!;
    const text = res.text();
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    expect(await text).toContain('data: [DONE]');
    expect(await exited).toBe(0);
    await expect(readFile(join(dir, 'data', 'gateway.json'))).rejects.toThrow(/ENOENT/);
    const day = new Date().toISOString().slice(0, 10);
    const segs = await readdir(join(dir, 'data', 'requests', day));
    const all = await Promise.all(
      segs
        .filter((f) => f.endsWith('.json'))
        .map(
          async (f) =>
            JSON.parse(await readFile(join(dir, 'data', 'requests', day, f), 'utf8')) as {
              records: { id: string; usage?: { output_tokens: number } }[];
            },
        ),
    );
    const rec = all.flatMap((s) => s.records).find((r) => r.id === id);
    expect(rec?.usage?.output_tokens).toBe(16);
  });
});

describe('push across a kill -9 between send and acknowledgement', () => {
  it('counts every record exactly once at Lava', async () => {
    const secret = 'aks_test_crash_push_01';
    sims.lava.validKeys.add(secret);
    const cfg = join(dir, 'push.json');
    const dataDir = join(dir, 'push-data');
    await writeFile(
      cfg,
      JSON.stringify({
        ...baseConfig(sims),
        lava: { secretKey: secret, baseUrl: `${sims.lava.url}/v1/`, customerId: 'cus_k9', meterSlug: 'desk' },
        providers: {
          ...(baseConfig(sims).providers as object),
          openai: { mode: 'direct', origin: sims.openai.url, apiKey: 'sk-test-openai-key-1234567890' },
        },
      }),
    );
    sims.lava.holdCreates = true; // from now on Lava records pushes but never acknowledges them
    const creates = () => sims.lava.calls.get('POST /v1/requests') ?? 0;
    const before = creates();
    const first = await serve(cfg, dataDir);
    const token = () =>
      (JSON.parse(readFileSync(join(dataDir, 'gateway.json'), 'utf8')) as { adminToken: string }).adminToken;
    const client = new OpenAI({ apiKey: 'x', baseURL: `${first.url}/openai/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `k${i}` }] })
        .withResponse();
      ids.push(r.response.headers.get('x-lava-desktop-request-id')!);
    }
    await new Promise((r) => setTimeout(r, 400)); // past the store's flush interval
    void fetch(`${first.url}/api/sync`, { method: 'POST', headers: { authorization: `Bearer ${token()}` } }).catch(
      () => undefined,
    );
    await expect.poll(creates, { timeout: 5000 }).toBeGreaterThan(before);
    first.child.kill('SIGKILL'); // Lava has the record; the gateway never heard back
    await new Promise((r) => first.child.once('exit', r));
    sims.lava.holdCreates = false;

    const second = await serve(cfg, dataDir);
    try {
      const res = await fetch(`${second.url}/api/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}` },
      });
      expect(await res.json()).toMatchObject({ state: 'ok', pending: 0 });
      for (const id of ids) expect(sims.lava.records.filter((r) => r.request_id === id)).toHaveLength(1);
      expect(sims.lava.duplicates).toBe(0);
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
  });
});
