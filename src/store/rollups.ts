/** Pure rollup arithmetic: a record adds into the cell of its hour × provider × model. */
import type { RequestRecord, RollupCell, RollupDimension, RollupRow } from './types.js';
import { emptyUsage, type Usage } from '../providers/usage.js';
import { money, round10 } from '../lib/money.js';

export const emptyCell = (): RollupCell => ({
  ...emptyUsage(),
  characters: 0,
  seconds: 0,
  requests: 0,
  errors: 0,
  cost: 0,
  unpriced: 0,
  synced: 0,
  synced_cost: 0,
  synced_estimate: 0,
});

const USAGE_KEYS = Object.keys(emptyCell()).filter(
  (k) => !['requests', 'errors', 'cost', 'unpriced'].includes(k),
) as (keyof RollupCell & keyof Usage)[];

/** Hour key of an ISO timestamp, in UTC: `YYYY-MM-DDTHH`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);
/** When a row's hour begins (epoch ms). */
export const hourStart = (r: Pick<RollupRow, 'hour'>): number => Date.parse(`${r.hour}:00:00Z`);
/**
 * A cell's key: its dimensions joined by tabs (an empty part is null). Files written before the
 * who-and-where dimensions hold `provider\tmodel` keys, which read as those dimensions null.
 */
export function cellKey(r: Pick<RequestRecord, RollupDimension>): string {
  let key = `${r.provider}\t${r.model ?? ''}`;
  for (const d of WHO) key += `\t${clean(r[d])}`;
  return key;
}

const WHO = ['tool', 'billing', 'project', 'branch', 'session'] as const;
/** Tabs and newlines cannot appear in a key part (a project path could hold them). */
const clean = (v: string | null | undefined): string => (v ? v.replace(/[\t\n]/g, ' ') : '');

/** The dimensions of a cell key. */
export function keyParts(key: string): Omit<RollupRow, keyof RollupCell | 'hour'> {
  const [provider = '', model = '', tool, billing, project, branch, session] = key.split('\t');
  return {
    provider,
    model,
    tool: tool || null,
    billing: (billing || null) as RollupRow['billing'],
    project: project || null,
    branch: branch || null,
    session: session || null,
  };
}

export function addRecord(cell: RollupCell, r: RequestRecord): void {
  cell.requests += 1;
  if (r.error || r.status >= 400) cell.errors += 1;
  const u = r.usage;
  if (u) for (const k of USAGE_KEYS) cell[k] += u[k] ?? 0;
  if (r.cost !== undefined) cell.cost = round10(cell.cost + Number(r.cost));
  else if (u && (u.total_tokens > 0 || (u.characters ?? 0) > 0 || (u.seconds ?? 0) > 0)) cell.unpriced += 1;
}

const CELL_KEYS = Object.keys(emptyCell()) as (keyof RollupCell)[];

/** The key cells had before the who-and-where dimensions. */
export const legacyKey = (r: Pick<RequestRecord, 'provider' | 'model'>): string => `${r.provider}\t${r.model ?? ''}`;

/** What one record adds to its cell as it is now (Lava's cost and drift included once synced). */
export function recordShare(r: RequestRecord): RollupCell {
  const cell = emptyCell();
  addRecord(cell, r);
  if (r.costSource === 'lava' && r.cost !== undefined) {
    cell.synced = 1;
    cell.synced_cost = Number(r.cost);
    cell.synced_estimate = Number(r.localCost ?? 0);
  }
  return cell;
}

export function subtractCell(from: RollupCell, share: RollupCell): void {
  for (const k of CELL_KEYS) from[k] = (from[k] ?? 0) - share[k];
  from.cost = round10(from.cost);
  from.synced_cost = round10(from.synced_cost);
  from.synced_estimate = round10(from.synced_estimate);
}

export function addCell(into: RollupCell, from: RollupCell): void {
  for (const k of CELL_KEYS) into[k] += from[k] ?? 0; // cells written before a field existed lack it
  into.cost = round10(into.cost);
}

/** A record's local estimate was replaced by Lava's cost: move the cell's cost, count the drift. */
export function applyLavaCost(
  cell: RollupCell,
  previous: string | undefined,
  lavaCost: string,
  estimate: string | undefined,
): void {
  cell.cost = round10(cell.cost + Number(lavaCost) - Number(previous ?? 0));
  if (previous === undefined && cell.unpriced > 0) cell.unpriced -= 1;
  cell.synced = (cell.synced ?? 0) + 1;
  cell.synced_cost = round10((cell.synced_cost ?? 0) + Number(lavaCost));
  cell.synced_estimate = round10((cell.synced_estimate ?? 0) + Number(estimate ?? 0));
}

/**
 * Totals of rollup rows. `cost` is money spent: requests billed to the client's own plan
 * (`billing: "subscription"`) cost nothing more, their API-priced value is `subscriptionValue`.
 */
export interface Totals {
  requests: number;
  tokens: number;
  cost: string;
  unpriced: number;
  subscriptionValue: string;
}

/** A row's cost split into money spent and a plan's API-priced value. */
export const spentOf = (r: Pick<RollupRow, 'billing' | 'cost'>): number => (r.billing === 'subscription' ? 0 : r.cost);

export function totals(rows: RollupRow[]): Totals {
  let requests = 0;
  let tokens = 0;
  let cost = 0;
  let plan = 0;
  let unpriced = 0;
  for (const r of rows) {
    requests += r.requests;
    tokens += r.total_tokens;
    if (r.billing === 'subscription') plan = round10(plan + r.cost);
    else cost = round10(cost + r.cost);
    unpriced += r.unpriced;
  }
  return { requests, tokens, cost: money(cost), unpriced, subscriptionValue: money(plan) };
}
