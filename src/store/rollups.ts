/** Pure rollup arithmetic: a record adds into the cell of its hour × provider × model. */
import type { RequestRecord, RollupCell } from './types.js';
import { emptyUsage, type Usage } from '../metering/usage.js';

export const emptyCell = (): RollupCell => ({
  ...emptyUsage(),
  characters: 0,
  seconds: 0,
  requests: 0,
  errors: 0,
  cost: 0,
  unpriced: 0,
});

const USAGE_KEYS = Object.keys(emptyCell()).filter(
  (k) => !['requests', 'errors', 'cost', 'unpriced'].includes(k),
) as (keyof Usage)[];

/** Hour key of an ISO timestamp, in UTC: `YYYY-MM-DDTHH`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);
export const cellKey = (r: Pick<RequestRecord, 'provider' | 'model'>): string => `${r.provider}\t${r.model ?? ''}`;

export function addRecord(cell: RollupCell, r: RequestRecord): void {
  cell.requests += 1;
  if (r.error || r.status >= 400) cell.errors += 1;
  const u = r.usage;
  if (u) for (const k of USAGE_KEYS) cell[k] += u[k] ?? 0;
  if (r.cost !== undefined) cell.cost = round10(cell.cost + Number(r.cost));
  else if (u && (u.total_tokens > 0 || (u.characters ?? 0) > 0)) cell.unpriced += 1;
}

const CELL_KEYS = Object.keys(emptyCell()) as (keyof RollupCell)[];

export function addCell(into: RollupCell, from: RollupCell): void {
  for (const k of CELL_KEYS) into[k] += from[k];
  into.cost = round10(into.cost);
}

/** Keeps sums of decimal costs from drifting by float error. */
export const round10 = (n: number): number => Math.round(n * 1e10) / 1e10;
