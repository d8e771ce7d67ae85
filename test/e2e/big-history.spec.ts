/**
 * The dashboard over a large history: 100 k stored records. Measures (and prints) the time from
 * navigation until the Live list and the Spend totals are on screen; asserts only that they
 * render, correctly — timing is reported, not asserted.
 */
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { LowdbStore } from '../../src/store/lowdb-store.js';

const N = 100_000;
let child: ChildProcess | undefined;
let dir = '';

test.afterAll(async () => {
  child?.kill('SIGTERM');
  if (child) await new Promise((r) => child!.once('exit', r));
  await rm(dir, { recursive: true, force: true });
});

test(`Live and Spend with ${N} stored records`, async ({ page }) => {
  test.setTimeout(120_000);
  dir = await mkdtemp(join(tmpdir(), 'lava-big-'));
  const store = await LowdbStore.open({ dataDir: dir, retentionDays: 3650, log: () => undefined });
  const now = Date.now();
  for (let i = 0; i < N; i++) {
    const at = now - (N - i) * 25_000; // ~29 days of history
    store.append({
      id: ulid(at),
      startedAt: new Date(at).toISOString(),
      durationMs: 400,
      provider: i % 3 ? 'openai' : 'anthropic',
      mode: 'direct',
      method: 'POST',
      path: '/openai/v1/chat/completions',
      model: i % 3 ? 'gpt-4o-mini' : 'claude-sonnet-4-5',
      stream: false,
      status: 200,
      usage: {
        input_tokens: 1000,
        output_tokens: 200,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        total_tokens: 1200,
      },
      usageSource: 'response',
      cost: '0.0002700000',
      costSource: 'prices',
      pricesVersion: 'seed',
      client: 'seed',
      sync: 'local',
    });
    if (i % 5000 === 4999) await store.flush();
  }
  await store.close();
  const bin = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
  child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) resolve(m[1]!);
    });
  });
  const token = (JSON.parse(await readFile(join(dir, 'gateway.json'), 'utf8')) as { adminToken: string }).adminToken;
  const t0 = Date.now();
  await page.goto(`${url}/#token=${token}`);
  await expect(page.locator('.row').first()).toBeVisible();
  const live = Date.now() - t0;
  // Only the visible rows are in the DOM.
  expect(await page.locator('.row').count()).toBeLessThan(60);
  const t1 = Date.now();
  await page.getByRole('link', { name: 'Spend' }).click();
  await expect(page.getByTestId('spend-Last 30 days')).toContainText('$');
  const spend = Date.now() - t1;
  const requests = await page.locator('.card', { hasText: 'Last 30 days' }).textContent();
  expect(requests).toContain(`${N} requests`);
  console.log(`big history (${N} records): Live interactive after ${live} ms, Spend after ${spend} ms`);
  await page.screenshot({ path: 'test-results/e2e/screenshots/live-100k.png' });
});
