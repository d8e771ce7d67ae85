/** Pure rollup arithmetic: a record adds into the cell of its hour × provider × model. */
import type { RequestRecord, RollupCell } from './types.js';

export const emptyCell = (): RollupCell => ({
  requests: 0,
  errors: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
  characters: 0,
  seconds: 0,
  cost: 0,
  unpriced: 0,
});

/** Hour key of an ISO timestamp, in UTC: `YYYY-MM-DDTHH`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);
export const cellKey = (r: Pick<RequestRecord, 'provider' | 'model'>): string => `${r.provider}\t${r.model ?? ''}`;

export function addRecord(cell: RollupCell, r: RequestRecord): void {
  cell.requests += 1;
  if (r.error || r.status >= 400) cell.errors += 1;
  const u = r.usage;
  if (u) {
    cell.input_tokens += u.input_tokens;
    cell.output_tokens += u.output_tokens;
    cell.cache_read_tokens += u.cache_read_tokens;
    cell.cache_write_tokens += u.cache_write_tokens;
    cell.reasoning_tokens += u.reasoning_tokens;
    cell.total_tokens += u.total_tokens;
    cell.characters += u.characters ?? 0;
    cell.seconds += u.seconds ?? 0;
  }
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
