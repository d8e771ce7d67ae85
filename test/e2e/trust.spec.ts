/**
 * Trust in a real browser (issue 10): another local page cannot use the dashboard's cookie under
 * any spelling of /api; a store that cannot write says so in a banner until it can again; a
 * settings change refused by a whole-config rule shows why; an upstream change is announced; the
 * page loads without console errors (favicon); Cursor is not offered a setting that cannot work.
 */
import { expect, test, type Page } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';

const url = () => process.env.E2E_URL!;
const token = () => process.env.E2E_TOKEN!;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });
const settings = async () =>
  (await (await fetch(`${url()}/api/settings`, { headers: { authorization: `Bearer ${token()}` } })).json()) as {
    paused: boolean;
    settings: { providers: Record<string, { origin?: string; mode?: string }> };
  };

async function login(page: Page) {
  await page.goto(`${url()}/#token=${token()}`);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('the dashboard loads without a console error (its icon is served)', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  await login(page);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
  const icon = await page.request.get(`${url()}/favicon.ico`);
  expect(icon.status()).toBe(200);
  expect(problems).toEqual([]);
});

test('a page on another local port cannot pause the gateway with the session cookie, however it spells /api', async ({
  page,
  context,
}) => {
  await login(page); // the browser now holds the session cookie for 127.0.0.1
  const gw = url();
  const spellings = ['/API/pause', '/Api/pause', '/api/pause/', '/api/Pause', '/%61pi/pause', '/api/pause#x'];
  const html = `<!doctype html><body><script>
    const spellings = ${JSON.stringify(spellings)};
    Promise.allSettled(spellings.map((p) => fetch(${JSON.stringify(gw)} + p, { method: 'POST', mode: 'no-cors', credentials: 'include' })))
      .then(() => { document.title = 'done'; });
  </script>
  <form id="f" method="POST" action="${gw}/API/pause" target="sink"></form><iframe name="sink"></iframe>
  <script>document.getElementById('f').submit();</script></body>`;
  const evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  try {
    const attacker = await context.newPage();
    await attacker.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
    await expect(attacker).toHaveTitle('done');
    await attacker.waitForTimeout(300); // the form post lands in the iframe
    await attacker.close();
  } finally {
    evil.close();
  }
  expect((await settings()).paused).toBe(false);
});

test('a store that cannot write shows a banner until the disk takes the records again', async ({ page }) => {
  await login(page);
  const dir = process.env.E2E_DATA_DIR!;
  // A real fault: the records folder becomes a plain file, so every write of a record fails.
  renameSync(join(dir, 'requests'), join(dir, 'requests.away'));
  writeFileSync(join(dir, 'requests'), 'not a folder');
  try {
    const client = new OpenAI({ apiKey: 'placeholder', baseURL: `${url()}/openai/v1`, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'while broken' }],
    });
    const banner = page.getByTestId('store-banner');
    await expect(banner).toContainText('Records are not being saved');
    await expect(banner).toContainText('kept in memory');
    await shot(page, 'store-degraded');
  } finally {
    rmSync(join(dir, 'requests'));
    renameSync(join(dir, 'requests.away'), join(dir, 'requests'));
  }
  await expect(page.getByTestId('store-banner')).toBeHidden({ timeout: 15_000 });
});

test('a change refused by a rule across fields shows why, and nothing is saved', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Keys & settings' }).click();
  await page.getByLabel('openai mode').selectOption('lava');
  await page.getByRole('button', { name: 'Save' }).click();
  const alert = page.locator('.form-errors');
  await expect(alert).toContainText('Not saved');
  await expect(alert).toContainText('lava.secretKey is not set');
  await shot(page, 'settings-refused');
  expect((await settings()).settings.providers.openai?.mode).not.toBe('lava');
});

test('changing where a provider’s requests go is announced', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Keys & settings' }).click();
  await page.getByLabel('groq origin').fill('https://groq-proxy.example');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('upstream-notice')).toContainText(
    'providers.groq.origin now sends requests (and keys) to https://groq-proxy.example/',
  );
  await page.getByLabel('groq origin').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  expect((await settings()).settings.providers.groq?.origin).toBeUndefined();
});

test('Connect says why Cursor cannot use a local gateway, and offers it no base URL', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Connect' }).click();
  const cursor = page.getByTestId('cursor-note');
  await expect(cursor).toContainText("Cursor's own servers");
  await expect(cursor).not.toContainText('/openai/v1');
});
