/**
 * Local records in Lava's REST shapes (`RestRequest`, `RestUsage`, lava-api.md §3), so the Lava
 * SDK pointed at the gateway reads the local store as it would read Lava.
 */
import type { RequestRecord, RollupRow } from '../store/types.js';
import { money } from '../lib/money.js';
import { isoOffset } from '../lib/local-date.js';
import { hourStart, spentOf } from '../store/rollups.js';

const ZERO = money(0);

export function toRestRequest(r: RequestRecord): Record<string, unknown> {
  const u = r.usage;
  const failed = Boolean(r.error) || r.status >= 400 || r.status === 0;
  const out: Record<string, unknown> = {
    request_id: r.origin === 'remote' && r.lavaRequestId ? r.lavaRequestId : r.id,
    status: failed ? 'error' : 'completed',
    provider: r.provider,
    provider_key_type: r.mode === 'lava' ? 'managed' : 'unmanaged',
    endpoint: `${r.method} ${r.upstream ?? r.path}`,
    model_usage: {
      input_tokens: u?.input_tokens ?? 0,
      output_tokens: u?.output_tokens ?? 0,
      total_tokens: u?.total_tokens ?? 0,
      input_characters: u?.characters ?? 0,
      output_characters: 0,
      total_characters: u?.characters ?? 0,
      input_seconds: u?.seconds ?? 0,
      output_seconds: 0,
      total_seconds: u?.seconds ?? 0,
      input_cost: ZERO,
      output_cost: ZERO,
      total_cost: r.cost ?? ZERO,
    },
    cost: r.cost ?? ZERO,
    charge: { amount: ZERO, rate_type: 'fixed', breakdown: [] },
    metadata: metadataOf(r),
    timestamp: new Date(Date.parse(r.startedAt) + r.durationMs).toISOString(),
    created_at: r.startedAt,
  };
  if (r.model) out.model = r.model;
  if (r.responseId) out.response_id = r.responseId;
  if (failed) out.error = r.error ?? `upstream status ${r.status}`;
  return out;
}

/** Who and where (PRODUCT.md §13) as Lava's string metadata: only the fields that are known. */
function metadataOf(r: RequestRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['tool', 'tag', 'project', 'branch', 'session', 'billing'] as const) {
    const v = r[k];
    if (v) out[k] = v;
  }
  return out;
}

/** Parses the UTC offset of an ISO 8601 timestamp in minutes (`Z` → 0; none → 0). */
export function offsetMinutes(iso: string): number {
  const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

interface DayTotals {
  total_requests: number;
  total_usage_tokens: number;
  cost: number;
}

/** Days before this many before `end` get an item only from the first day that has data. */
const FULL_DAYS = 366;

/**
 * `RestUsage` for [start, end): one item per day in the start's timezone, plus totals; the cost is
 * money spent, so requests billed to a tool's own plan count as requests and tokens, not cost. A range
 * reaching further back than a year lists days from the first one with data, so an open-ended
 * `start` (`0001-01-01`) costs what the data costs, not two thousand years of empty days.
 */
export function toRestUsage(rows: RollupRow[], start: Date, end: Date, offsetMin: number): Record<string, unknown> {
  const shift = offsetMin * 60_000;
  const dayOf = (t: number) => new Date(t + shift).toISOString().slice(0, 10);
  const days = new Map<string, DayTotals>();
  let first = Infinity;
  let last = -Infinity;
  for (const r of rows) {
    const t = hourStart(r);
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const span = FULL_DAYS * 86_400_000;
  const from = Math.max(start.getTime(), Math.min(first, end.getTime() - span));
  // …and an `end` far in the future stops a year after today (or the last data).
  const to = Math.min(end.getTime(), Math.max(Date.now(), last, start.getTime()) + span);
  for (let t = from; dayOf(t) <= dayOf(to - 1); t += 86_400_000) {
    days.set(dayOf(t), { total_requests: 0, total_usage_tokens: 0, cost: 0 });
  }
  const totals: DayTotals = { total_requests: 0, total_usage_tokens: 0, cost: 0 };
  for (const row of rows) {
    const d = days.get(dayOf(hourStart(row)));
    for (const acc of d ? [d, totals] : [totals]) {
      acc.total_requests += row.requests;
      acc.total_usage_tokens += row.total_tokens;
      acc.cost += spentOf(row);
    }
  }
  const fmt = (t: DayTotals) => ({
    total_requests: t.total_requests,
    total_usage_tokens: t.total_usage_tokens,
    total_cost: money(t.cost),
    total_charge: ZERO,
  });
  const tz = isoOffset(offsetMin);
  return {
    items: [...days.entries()].map(([date, t]) => ({
      date,
      start: `${date}T00:00:00${tz}`,
      end: `${date}T23:59:59${tz}`,
      ...fmt(t),
    })),
    totals: fmt(totals),
  };
}
