/**
 * Who spent what, in a real browser: a gateway of its own (the shared one keeps the empty state
 * dashboard.spec.ts starts from) running with a temporary HOME, so the Connect page's buttons write
 * only there. Records come through the real gateway on tagged routes (`/@claude-code/…`,
 * `/@codex/…`) to the simulators, plus a few stored beforehand with a project and branch (the way
 * attribution leaves them). Checks: Spend by tool and by project against /api/spend, History paging
 * and filters kept in the URL, Connect's cards, and no console errors.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { seedRecord, seedStore, startOwnGateway, type OwnGateway } from './own-gateway.js';

const CLAUDE = 70;
const CODEX = 50;
const PLAN = 4;
const OAUTH = 'sk-ant-oat01-e2e-plan-token-1234567890';
const SHOP = '/home/dev/lava-shop';
const API = '/home/dev/api-server';

let sims: Simulators;
let gw: OwnGateway;
let root = '';
let home = '';
let url = '';
let token = '';

test.describe.configure({ mode: 'serial' });

/** Records as attribution leaves them: with a project, branch and session. */
const attributed = () =>
  Array.from({ length: 18 }, (_, i) => {
    const claude = i < 12;
    return seedRecord((i + 1) * 60_000, {
      provider: claude ? 'anthropic' : 'openai',
      path: claude ? '/anthropic/v1/messages' : '/openai/v1/responses',
      model: claude ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
      usage: {
        input_tokens: 2000,
        output_tokens: 300,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        total_tokens: 2300,
      },
      cost: claude ? '0.0105000000' : '0.0004800000',
      tool: claude ? 'claude-code' : 'codex',
      project: claude ? SHOP : API,
      branch: claude ? 'main' : 'feature/retry',
      session: claude ? 'sess-shop-1' : 'sess-api-1',
    });
  });

async function startGateway() {
  sims = await startSimulators();
  root = await mkdtemp(join(tmpdir(), 'lava-e2e-attr-'));
  home = join(root, 'home');
  const dataDir = join(root, 'data');
  await mkdir(home, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await seedStore(dataDir, attributed());
  const providers = { openai: { origin: sims.openai.url }, anthropic: { origin: sims.anthropic.url } };
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ providers }));
  const secrets = {
    providers: { openai: { apiKey: 'sk-e2e-attr-0001' }, anthropic: { apiKey: 'sk-ant-e2e-attr-0001' } },
  };
  await writeFile(join(dataDir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
  ({ url, token } = gw = await startOwnGateway({ dataDir, home }));
}

const claudeRequest = (i: number) => {
  const plan = i < PLAN;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  if (plan) Object.assign(headers, { authorization: `Bearer ${OAUTH}`, 'anthropic-beta': 'oauth-2025-04-20' });
  else headers['x-api-key'] = 'placeholder';
  const text = `${i % 3 ? '[cached] ' : ''}refactor the checkout ${'step '.repeat(40)}`;
  return fetch(`${url}/@claude-code/anthropic/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: text }] }),
  });
};
const codexRequest = () =>
  fetch(`${url}/@codex/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer placeholder' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'add retries '.repeat(30) }] }),
  });

async function seedThroughGateway() {
  const calls = [
    ...Array.from({ length: CLAUDE }, (_, i) => () => claudeRequest(i)),
    ...Array.from({ length: CODEX }, () => codexRequest),
  ];
  for (let i = 0; i < calls.length; i += 10) {
    const res = await Promise.all(calls.slice(i, i + 10).map((c) => c()));
    for (const r of res) expect(r.status, await r.text()).toBe(200);
  }
}

test.beforeAll(async () => {
  test.setTimeout(60_000);
  await startGateway();
  await seedThroughGateway();
});

test.afterAll(async () => {
  await gw?.stop();
  await sims?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Logs in and fails the test on any console error or page error. */
async function open(page: Page, hash = '') {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#token=${token}`);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
  if (hash) await page.goto(`${url}/${hash}`);
  return errors;
}

const apiJson = <T>(page: Page, path: string) =>
  page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).json(), path) as Promise<T>;

interface Breakdown {
  breakdown: { key: string | null; cost: string; subscriptionValue: string; requests: number; tokens: number }[];
  last7Days: { requests: number; cost: string };
  cacheSavings: string;
}
const usd = (v: string | number) => `$${Number(v).toFixed(4)}`;
const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

test('Spend: by tool and by project match /api/spend and sum to the total; savings and plan value apart', async ({
  page,
}) => {
  const errors = await open(page);
  await page.getByRole('link', { name: 'Spend' }).click();
  const byTool = page.getByTestId('by-tool');
  await expect(byTool.getByRole('heading', { name: 'By tool' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Spend by tool' })).toBeVisible();
  const report = await apiJson<Breakdown>(page, '/api/spend?days=7&by=tool');
  for (const tool of ['claude-code', 'codex']) {
    const want = report.breakdown.find((b) => b.key === tool)!;
    const cells = byTool.locator(`tr[data-key="${tool}"] td`);
    await expect(cells.nth(0)).toHaveText(tool);
    await expect(cells.nth(1)).toHaveText(String(want.requests));
    expect(digits(await cells.nth(2).textContent())).toBe(String(want.tokens));
    await expect(cells.nth(3)).toHaveText(usd(want.cost));
  }
  expect(report.breakdown.find((b) => b.key === 'claude-code')!.requests).toBe(CLAUDE + 12);
  expect(report.breakdown.find((b) => b.key === 'codex')!.requests).toBe(CODEX + 6);
  // The table's total is the window's total.
  await expect(byTool.locator('tfoot th').nth(1)).toHaveText(String(report.last7Days.requests));
  await expect(byTool.locator('tfoot th').nth(3)).toHaveText(usd(report.last7Days.cost));
  // Requests on the Claude plan: their value is shown apart, never added into spend.
  const plan = report.breakdown.reduce((a, b) => a + Number(b.subscriptionValue), 0);
  expect(plan).toBeGreaterThan(0);
  await expect(page.getByTestId('plan-value')).toHaveText(
    `Plan value ${usd(plan)} (billed to your own subscription, not spent).`,
  );
  expect(Number(report.cacheSavings)).toBeGreaterThan(0);
  await expect(page.getByTestId('cache-savings')).toContainText(
    `Prompt caching saved ${usd(report.cacheSavings)} in 7 days.`,
  );

  const byProject = page.getByTestId('by-project');
  await expect(byProject.locator(`tr[data-key="${SHOP}"] td`).first()).toHaveText('lava-shop');
  await expect(byProject.locator(`tr[data-key="${API}"] td`).nth(1)).toHaveText('6');
  const unattributed = byProject.locator('tr[data-key="(none)"] td');
  await expect(unattributed.first()).toHaveText('(unattributed)');
  await expect(unattributed.nth(1)).toHaveText(String(CLAUDE + CODEX));
  await expect(byProject.locator('tfoot th').nth(1)).toHaveText(String(report.last7Days.requests));
  await byProject.scrollIntoViewIfNeeded();
  await page.screenshot({ path: '/tmp/spend-by-project.png', fullPage: true });

  // The window selector asks again: today holds everything seeded (all within the last 20 minutes).
  await page.getByLabel('today').check();
  await expect(page.getByTestId('cache-savings')).toContainText('in 1 day');

  // A row opens History filtered by it.
  await byTool.locator('tr[data-key="codex"] a').click();
  await expect(page).toHaveURL(/#\/history\?tool=codex/);
  await expect(page.getByTestId('history-count')).toHaveText(`${CODEX + 6} requests · that is all`);
  await expect(page.getByLabel('Tool', { exact: true })).toHaveValue('codex');
  expect(errors).toEqual([]);
});

test('History: pages past 100 with the cursor; filters narrow it and live in the URL', async ({ page }) => {
  const errors = await open(page, '#/history');
  const rows = page.locator('table[aria-label="History"] tbody tr');
  await expect(rows).toHaveCount(100);
  await page.getByRole('button', { name: 'Load older' }).click();
  const total = CLAUDE + CODEX + 18;
  await expect(page.getByTestId('history-count')).toHaveText(`${total} requests · that is all`);
  await expect(rows).toHaveCount(total);
  await expect(page.getByRole('button', { name: 'Load older' })).toHaveCount(0);

  await page.getByLabel('Tool', { exact: true }).selectOption('claude-code');
  await expect(page.getByTestId('history-count')).toHaveText(`${CLAUDE + 12} requests · that is all`);
  await expect(page).toHaveURL(/#\/history\?tool=claude-code$/);
  await page.getByLabel('Project').selectOption(SHOP);
  await expect(page.getByTestId('history-count')).toHaveText('12 requests · that is all');
  await expect(rows.first().locator('td').nth(2)).toHaveText('lava-shop');
  await expect(rows.first().locator('td').nth(2)).toHaveAttribute('title', SHOP);
  await expect(rows.first().locator('td').nth(3)).toHaveText('main');

  // A link reopens the same filters.
  await page.reload();
  await expect(page.getByLabel('Project')).toHaveValue(SHOP);
  await expect(page.getByTestId('history-count')).toHaveText('12 requests · that is all');

  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Billing').selectOption('subscription');
  await expect(page.getByTestId('history-count')).toHaveText(`${PLAN} requests · that is all`);
  await page.getByLabel('Billing').selectOption('');
  await page.getByLabel('Search').fill('gpt-4o-mini');
  await expect(page.getByTestId('history-count')).toHaveText(`${CODEX + 6} requests · that is all`);
  await page.getByLabel('To', { exact: true }).fill('2000-01-01');
  await expect(page.getByText('No request matches these filters.')).toBeVisible();
  await page.getByLabel('To', { exact: true }).fill('');
  await expect(rows).toHaveCount(CODEX + 6);

  // A row opens its detail, as on Live.
  const id = await rows.first().getAttribute('data-id');
  await rows.first().click();
  await expect(page.getByRole('complementary', { name: 'Request detail' })).toContainText(id!);
  expect(errors).toEqual([]);
});

test('Connect: a card per agent; Connect and Disconnect write only the temporary HOME and show the diff', async ({
  page,
}) => {
  const errors = await open(page, '#/connect');
  const claude = page.getByTestId('agent-claude-code');
  await expect(claude).toBeVisible();
  await expect(claude.getByTestId('last-seen')).not.toContainText('never');
  await expect(page.getByTestId('agent-codex').getByTestId('last-seen')).not.toContainText('never');
  await expect(page.getByTestId('agent-aider').getByTestId('last-seen')).toHaveText('Last request seen never');
  const cursor = page.getByTestId('agent-cursor');
  await expect(cursor).toContainText(/Cursor/);
  await expect(cursor.getByRole('button')).toHaveCount(0);
  await expect(page.locator('.snippet', { hasText: 'Claude Code' })).toBeVisible();

  const settings = join(home, '.claude', 'settings.json');
  expect(existsSync(settings)).toBe(false);
  await claude.getByRole('button', { name: 'Connect Claude Code' }).click();
  await expect(claude.getByTestId('diff')).toContainText(`${url}/@claude-code/anthropic`);
  await expect(claude.getByTestId('connected')).toHaveText('connected');
  expect(await readFile(settings, 'utf8')).toContain(`${url}/@claude-code/anthropic`);
  await claude.getByRole('button', { name: 'Disconnect Claude Code' }).click();
  await expect(claude.getByTestId('connected')).toHaveText('not connected');
  await expect(claude.getByTestId('diff')).toContainText('ANTHROPIC_BASE_URL');
  expect(existsSync(settings)).toBe(false);

  // A config file that does not parse: the error is shown in the card, the file is left alone.
  const codexConfig = join(home, '.codex', 'config.toml');
  await mkdir(join(home, '.codex'), { recursive: true });
  await writeFile(codexConfig, 'model = "o3"\n[model_providers\n');
  const codex = page.getByTestId('agent-codex');
  await codex.getByRole('button', { name: 'Connect Codex CLI' }).click();
  await expect(codex.getByRole('alert')).toContainText('config.toml');
  await expect(codex.getByTestId('connected')).toHaveText('not connected');
  expect(await readFile(codexConfig, 'utf8')).toBe('model = "o3"\n[model_providers\n');
  await page.screenshot({ path: 'test-results/e2e/screenshots/connect-agents.png', fullPage: true });
  // The browser logs the 409 itself; nothing else may be logged.
  expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
});
