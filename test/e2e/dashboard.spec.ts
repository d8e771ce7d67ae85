/**
 * The dashboard in a real browser, against a real `lava-desktop serve` and the simulators:
 * login by fragment, the empty state, a request made with the OpenAI SDK appearing live with its
 * tokens and cost, filters, the detail panel, editing a key, budgets, CSV export, Connect, CSP.
 * Each page is saved as a screenshot under test-results/e2e/screenshots/.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';

const url = () => process.env.E2E_URL!;
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/e2e/screenshots/${name}.png`, fullPage: true });
const openai = () => new OpenAI({ apiKey: 'placeholder', baseURL: `${url()}/openai/v1`, maxRetries: 0 });
const received = async () =>
  (await (await fetch(`${process.env.E2E_OPENAI_SIM}/__sim/received`)).json()) as { headers: Record<string, string> }[];

async function login(page: Page) {
  await page.goto(`${url()}/#token=${process.env.E2E_TOKEN}`);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('login by fragment: the token leaves the address bar for an HttpOnly cookie; the empty state guides a new user', async ({
  page,
  context,
}) => {
  await login(page);
  expect(page.url()).not.toContain('token=');
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'lava_desktop_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  await expect(page.getByRole('heading', { name: 'No requests yet' })).toBeVisible();
  await shot(page, 'live-empty');
  // Without the fragment and without the cookie, the dashboard says how to get in.
  const fresh = await context.browser()!.newPage();
  await fresh.goto(url());
  await expect(fresh.getByText('#token=')).toBeVisible();
  await fresh.close();
});

test('a request made with the OpenAI SDK appears live and completes with its tokens and cost', async ({ page }) => {
  await login(page);
  const { data, response } = await openai()
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello dashboard' }] })
    .withResponse();
  const id = response.headers.get('x-lava-desktop-request-id')!;
  const row = page.locator(`[data-id="${id}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('gpt-4o-mini');
  await expect(row).toContainText(String(data.usage!.prompt_tokens));
  await expect(row).toContainText(String(data.usage!.completion_tokens));
  await expect(row).toContainText('$0.0000');
  await row.click();
  const detail = page.getByRole('complementary', { name: 'Request detail' });
  await expect(detail).toContainText(id);
  await expect(detail).toContainText(data.id);
  await shot(page, 'live-detail');
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
});

test('filters narrow the list by provider and status', async ({ page }) => {
  await login(page);
  await fetch(`${url()}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
  });
  await openai()
    .chat.completions.create({ model: 'error-500', messages: [{ role: 'user', content: 'x' }] })
    .catch(() => undefined);
  await page.reload();
  await page.getByLabel('Provider').selectOption('anthropic');
  await expect(page.locator('.row')).toHaveCount(1);
  await expect(page.locator('.row')).toContainText('claude-sonnet-4-5');
  await page.getByLabel('Provider').selectOption('');
  await page.getByLabel('Status').selectOption('error');
  await expect(page.locator('.row')).toHaveCount(1);
  await expect(page.locator('.row .status')).toHaveText('500');
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Search').fill('claude');
  await expect(page.locator('.row')).toHaveCount(1);
});

test('editing a key: masked afterwards, used by the next request', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Keys & settings' }).click();
  const key = page.getByLabel('openai API key');
  await expect(key).toHaveAttribute('placeholder', 'sk-…0001');
  await key.fill('sk-typed-in-dashboard-4242');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  await expect(page.getByLabel('openai API key')).toHaveAttribute('placeholder', 'sk-…4242');
  await expect(page.locator('body')).not.toContainText('sk-typed-in-dashboard-4242');
  await shot(page, 'settings');
  await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
  expect((await received()).at(-1)!.headers.authorization).toBe('Bearer sk-typed-in-dashboard-4242');
  // A bad value is reported next to its field.
  await page.getByLabel('openai origin').fill('not a url');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#f-providers-openai-origin-err')).toContainText('http');
});

test('spend page: totals, chart, top models; CSV export holds the requests', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Spend' }).click();
  await expect(page.getByTestId('spend-Today')).toContainText('$');
  await expect(page.getByRole('img', { name: 'Spend per day, stacked' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'gpt-4o-mini' }).first()).toBeVisible();
  await shot(page, 'spend');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  const csv = await readFile((await download.path())!, 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toMatch(/^id,startedAt,provider,model,status/);
  expect(lines.length).toBeGreaterThanOrEqual(5);
  expect(csv).toContain('claude-sonnet-4-5');
});

test('Connect: snippets carry the real port; a test request shows its result', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Connect' }).click();
  const port = new URL(url()).port;
  await expect(page.getByTestId('base-url')).toHaveText(url());
  await expect(page.locator('.snippet', { hasText: 'Claude Code' })).toContainText(`127.0.0.1:${port}/anthropic`);
  await expect(page.locator('.snippet', { hasText: 'Codex CLI' })).toContainText(
    `base_url = "http://127.0.0.1:${port}/openai/v1"`,
  );
  await page.getByRole('button', { name: 'Send a test request to openai' }).click();
  await expect(page.getByRole('status').first()).toContainText('200');
  await shot(page, 'connect');
  await page.getByRole('link', { name: 'Sync' }).click();
  await expect(page.getByText('Sync is off')).toBeVisible();
  await shot(page, 'sync');
});

test('budget: alert banner at the thresholds, then a hard stop with 402', async ({ page }) => {
  await login(page);
  await page.getByRole('link', { name: 'Keys & settings' }).click();
  await page.getByLabel('Daily').fill('0.0001');
  await page.getByLabel('Refuse requests once a budget is reached').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  let refused: { status?: number; message?: string } | undefined;
  for (let i = 0; i < 40 && !refused; i++) {
    refused = await openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend '.repeat(50) }] })
      .then(
        () => undefined,
        (e: { status?: number; message?: string }) => e,
      );
  }
  expect(refused?.status).toBe(402);
  expect(refused?.message).toContain('daily budget reached');
  await expect(page.getByRole('alert')).toContainText('Daily budget: 100% used');
  await shot(page, 'budget-alert');
  await page.getByLabel('Daily').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
});

test('the Content-Security-Policy blocks an injected inline script', async ({ page }) => {
  await login(page);
  const violation = page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true';
        document.body.appendChild(s);
      }),
  );
  expect(await violation).toMatch(/^script-src/);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});
