/**
 * The runaway guard in a real browser (PRODUCT.md §14), on a gateway of its own with a low limit:
 * a burst from Codex is paused with a 429, the dashboard shows which tool and why with a Resume
 * button, and resuming lets the tool through again. No console errors.
 */
import { expect, test } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { startOwnGateway, type OwnGateway } from './own-gateway.js';

let sims: Simulators;
let gw: OwnGateway;
let root = '';
let url = '';
let token = '';

test.beforeAll(async () => {
  sims = await startSimulators();
  root = await mkdtemp(join(tmpdir(), 'lava-e2e-guards-'));
  const home = join(root, 'home');
  await mkdir(home, { recursive: true });
  const config = join(root, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      providers: { openai: { origin: sims.openai.url, apiKey: 'sk-e2e-guard-key-0001' } },
      guards: { runaway: { requestsPerMinute: 3, dollarsPerHour: 0 } },
    }),
  );
  ({ url, token } = gw = await startOwnGateway({ dataDir: join(root, 'data'), home, config }));
});

test.afterAll(async () => {
  await gw?.stop();
  await sims?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

const codexAsks = () =>
  fetch(`${url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'codex_exec/0.171.0 (Debian 13; x86_64) dumb' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });

test('a tool paused by the runaway guard shows with a Resume button that lets it through again', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#token=${token}`);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
  await expect(page.getByTestId('guard-banner')).toHaveCount(0);

  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await codexAsks()).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const banner = page.getByTestId('guard-banner');
  await expect(banner).toContainText('codex is paused by the runaway guard: 4 requests in a minute (limit 3)');

  await banner.getByRole('button', { name: 'Resume codex' }).click();
  await expect(page.getByTestId('guard-banner')).toHaveCount(0);
  expect((await codexAsks()).status).toBe(200);
  expect(errors).toEqual([]);
});
