/** Pure rollup arithmetic: a record adds into the cell of its hour × provider × model. */
import type { RequestRecord, RollupCell, RollupRow } from './types.js';
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
export const cellKey = (r: Pick<RequestRecord, 'provider' | 'model'>): string => `${r.provider}\t${r.model ?? ''}`;

export function addRecord(cell: RollupCell, r: RequestRecord): void {
  cell.requests += 1;
  if (r.error || r.status >= 400) cell.errors += 1;
  const u = r.usage;
  if (u) for (const k of USAGE_KEYS) cell[k] += u[k] ?? 0;
  if (r.cost !== undefined) cell.cost = round10(cell.cost + Number(r.cost));
  else if (u && (u.total_tokens > 0 || (u.characters ?? 0) > 0 || (u.seconds ?? 0) > 0)) cell.unpriced += 1;
}

const CELL_KEYS = Object.keys(emptyCell()) as (keyof RollupCell)[];

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

/** Totals of rollup rows (requests, tokens, cost, unpriced requests). */
export interface Totals {
  requests: number;
  tokens: number;
  cost: string;
  unpriced: number;
}

export function totals(rows: RollupRow[]): Totals {
  let requests = 0;
  let tokens = 0;
  let cost = 0;
  let unpriced = 0;
  for (const r of rows) {
    requests += r.requests;
    tokens += r.total_tokens;
    cost = round10(cost + r.cost);
    unpriced += r.unpriced;
  }
  return { requests, tokens, cost: money(cost), unpriced };
}
