/**
 * Budgets in a real browser (PRODUCT.md §14), against a gateway of its own (the shared one keeps
 * its empty state): a `--config` file sets one tool cap (shown locked), and today's records are
 * stored beforehand with a tool and a project. In Keys & settings: a refused cap shows the
 * server's reason by its row; a tool cap, a project cap, everything's cap, the reservation, unpriced
 * and the runaway guard are saved; a removed row is deleted. The Spend page shows each cap with
 * progress as /api/spend reports it. No console errors.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedRecord, seedStore, startOwnGateway, type OwnGateway } from './own-gateway.js';

const SHOP = '/home/dev/lava-shop';

let gw: OwnGateway;
let root = '';
let url = '';
let token = '';

test.describe.configure({ mode: 'serial' });

/** Today: 10 codex requests of $0.05 in the shop project, 4 claude-code requests of $0.10 elsewhere. */
const seeded = () =>
  Array.from({ length: 14 }, (_, i) =>
    i < 10
      ? seedRecord((i + 1) * 1000, { cost: '0.0500000000', tool: 'codex', project: `${SHOP}/web` })
      : seedRecord((i + 1) * 1000, { cost: '0.1000000000', tool: 'claude-code', project: '/home/dev/api-server' }),
  );

test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lava-e2e-budgets-'));
  const home = join(root, 'home');
  const dataDir = join(root, 'data');
  await mkdir(home, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  await seedStore(dataDir, seeded());
  const config = join(root, 'config.json');
  await writeFile(config, JSON.stringify({ budgets: { tools: { aider: { daily: 9 } } } }));
  ({ url, token } = gw = await startOwnGateway({ dataDir, home, config }));
});

test.afterAll(async () => {
  await gw?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Logs in and collects console errors and page errors. */
async function open(page: Page) {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/#token=${token}`);
  await expect(page.getByRole('link', { name: 'Live' })).toBeVisible();
  return errors;
}

const apiJson = <T>(page: Page, path: string) =>
  page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).json(), path) as Promise<T>;

interface Settings {
  settings: {
    budgets: {
      daily?: number;
      tools: Record<string, { daily?: number; monthly?: number }>;
      projects: Record<string, { daily?: number; monthly?: number }>;
      reserveOutputTokens: number;
      unpriced: string;
    };
    guards: { runaway: { dollarsPerHour: number } };
  };
}
interface Scope {
  scope: string;
  key: string | null;
  period: string;
  limit: number;
  spent: string;
  left: string;
  percent: number;
}

test('Keys & settings: edit budgets per tool and project, a refused cap, a removed row; Spend shows them', async ({
  page,
}) => {
  const errors = await open(page);
  await page.getByRole('link', { name: 'Keys & settings' }).click();
  const form = page.getByRole('form', { name: 'Keys and settings' });
  // The tool cap from the --config file is locked: shown, not editable, not removable.
  await expect(form.getByLabel('tool 1')).toHaveValue('aider');
  await expect(form.getByLabel('tool 1')).toBeDisabled();
  await expect(form.getByLabel('aider daily cap')).toHaveValue('9');
  await expect(form.locator('tr[data-row="aider"]')).toContainText('set by file');
  await expect(form.getByRole('button', { name: 'Remove aider' })).toHaveCount(0);

  // A cap of 0 passes the browser's min=0 but the server refuses it: its reason shows by the row.
  await form.getByRole('button', { name: 'Add a tool cap' }).click();
  await form.getByLabel('tool 2').fill('codex');
  await form.getByLabel('codex daily cap').fill('0');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.locator('tr[data-row="codex"] .error')).toContainText(/^daily: .*0/);
  await expect(form.getByLabel('codex daily cap')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('codex daily cap').fill('0.6');
  await form.getByRole('button', { name: 'Add a project cap' }).click();
  await form.getByLabel('project 1').fill(SHOP);
  await form.getByLabel(`${SHOP} monthly cap`).fill('2');
  await form.getByRole('button', { name: 'Add a tool cap' }).click();
  await form.getByLabel('tool 3').fill('gemini-cli');
  await form.getByLabel('gemini-cli daily cap').fill('3');
  await form.getByLabel('Daily', { exact: true }).fill('1.5');
  await form.getByLabel('Output tokens held per running request').fill('2048');
  await form.getByLabel('Models without a known price, under the hard stop').selectOption('refuse');
  await form.getByLabel('Dollars per hour').fill('5');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  // Lowering caps below what is spent alerts at once; a tool's alert names the tool (codex's cap comes last).
  await expect(page.getByRole('alert')).toContainText('Daily budget for codex: 80% used');
  let s = (await apiJson<Settings>(page, '/api/settings')).settings;
  expect(s.budgets.tools).toEqual({ aider: { daily: 9 }, codex: { daily: 0.6 }, 'gemini-cli': { daily: 3 } });
  expect(s.budgets.projects).toEqual({ [SHOP]: { monthly: 2 } });
  expect(s.budgets).toMatchObject({ daily: 1.5, reserveOutputTokens: 2048, unpriced: 'refuse' });
  expect(s.guards.runaway.dollarsPerHour).toBe(5);

  // Removing a row deletes its cap.
  await form.getByRole('button', { name: 'Remove gemini-cli' }).click();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved');
  s = (await apiJson<Settings>(page, '/api/settings')).settings;
  expect(Object.keys(s.budgets.tools).sort()).toEqual(['aider', 'codex']);

  // Spend: a bar per cap and window, as /api/spend reports it, coloured by how much is spent.
  await page.getByRole('link', { name: 'Spend' }).click();
  const block = page.getByRole('region', { name: 'Budgets' });
  await expect(block.getByRole('heading', { name: 'Budgets' })).toBeVisible();
  const scopes = (await apiJson<{ budgets: { scopes: Scope[] } }>(page, '/api/spend?days=30')).budgets.scopes;
  expect(scopes.map((c) => `${c.scope}:${c.key ?? '*'}:${c.period}`).sort()).toEqual([
    'global:*:daily',
    `project:${SHOP}:monthly`,
    'tool:aider:daily',
    'tool:codex:daily',
  ]);
  await expect(block.locator('li.budget')).toHaveCount(4);
  const codex = scopes.find((c) => c.key === 'codex')!;
  expect(Number(codex.spent)).toBeCloseTo(0.5, 8);
  const bar = (c: Scope) =>
    block.locator(`li[data-scope="${c.scope}"][data-key="${c.key ?? ''}"][data-period="${c.period}"]`);
  await expect(bar(codex)).toContainText('Today · codex');
  await expect(bar(codex)).toContainText('$0.50 of $0.60 · $0.10 left');
  await expect(bar(codex)).toHaveClass(/lvl-near/); // 83 %
  await expect(bar(codex).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '0.5');
  const shop = scopes.find((c) => c.scope === 'project')!;
  expect(Number(shop.spent)).toBeCloseTo(0.5, 8); // its folder and the folders inside it
  await expect(bar(shop)).toContainText('This month · lava-shop (project)');
  await expect(bar(shop)).toContainText('$0.50 of $2 · $1.50 left');
  await expect(bar(shop)).toHaveClass(/lvl-ok/); // 25 %
  const all = scopes.find((c) => c.scope === 'global')!;
  expect(Number(all.spent)).toBeCloseTo(0.9, 8);
  await expect(bar(all)).toContainText('Today · Everything');
  await expect(bar(all)).toHaveClass(/lvl-half/); // 60 %
  await expect(bar(scopes.find((c) => c.key === 'aider')!)).toContainText('$0.00 of $9 · $9.00 left');
  await expect(block).toContainText('Alerts only');
  await page.screenshot({ path: 'test-results/e2e/budgets.png', fullPage: true });
  // The one refused save is the browser's only complaint.
  expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
});
