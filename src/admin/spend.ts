/**
 * Spend from rollups (never from records, so it costs O(days)): totals for today, 7 and 30
 * days and this month, a per-day series and a breakdown by one dimension (model, provider, tool,
 * project, branch, session, billing; null = not known, so a breakdown always sums to the total),
 * top models, unpriced models, prompt-cache savings and the drift between Lava's cost and the
 * local estimate. Money spent leaves out requests billed to the client's own plan (their
 * API-priced value is `subscriptionValue`). Days are the machine's local days.
 */
import type { RollupDimension, RollupRow } from '../store/types.js';
import { hourStart, spentOf, totals } from '../store/rollups.js';
import { money, round10 } from '../lib/money.js';
import { localDate, localDayStart, localMonthStart } from '../lib/local-date.js';
import { cacheSavings } from '../prices/cost.js';

const DAY = 86_400_000;

export const SPEND_BY = ['model', 'provider', 'tool', 'project', 'branch', 'session', 'billing'] as const;
export type SpendBy = (typeof SPEND_BY)[number] & RollupDimension;

interface Group {
  cost: number;
  subscriptionValue: number;
  requests: number;
  tokens: number;
  unpriced: number;
}
const newGroup = (): Group => ({ cost: 0, subscriptionValue: 0, requests: 0, tokens: 0, unpriced: 0 });

function addTo(g: Group, r: RollupRow): void {
  const spent = spentOf(r);
  g.cost = round10(g.cost + spent);
  g.subscriptionValue = round10(g.subscriptionValue + r.cost - spent);
  g.requests += r.requests;
  g.tokens += r.total_tokens;
  g.unpriced += r.unpriced;
}

const groupView = (g: Group) => ({ ...g, cost: money(g.cost), subscriptionValue: money(g.subscriptionValue) });

/** A row's key for `by`: the model's empty name reads as unknown, like any other missing value. */
const keyOf = (r: RollupRow, by: SpendBy): string | null => r[by] || null;

/** Spend per key of one dimension, most first; the null key holds what is not known (unattributed). */
export function breakdown(rows: RollupRow[], by: SpendBy) {
  const groups = new Map<string | null, Group>();
  for (const r of rows) {
    const k = keyOf(r, by);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = newGroup()));
    addTo(g, r);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.cost - a.cost || b.subscriptionValue - a.subscriptionValue || b.requests - a.requests)
    .map(([key, g]) => ({ key, ...groupView(g) }));
}

export function spendReport(rows: RollupRow[], days: number, by: SpendBy, now = new Date()) {
  const since = (d: number) => rows.filter((r) => hourStart(r) >= localDayStart(d, now).getTime());
  const month = localMonthStart(now).getTime();
  const window = since(days - 1);
  return {
    today: totals(since(0)),
    last7Days: totals(since(6)),
    last30Days: totals(since(29)),
    month: totals(rows.filter((r) => hourStart(r) >= month)),
    by,
    days: Array.from({ length: days }, (_, i) => localDate(localDayStart(days - 1 - i, now).getTime())),
    series: series(window, by),
    breakdown: breakdown(window, by),
    ...models(window),
    cacheSavings: money(savings(window, now)),
    drift: drift(rows),
  };
}

/** Per local day × key: money spent and requests. */
function series(rows: RollupRow[], by: SpendBy) {
  const out = new Map<string, { date: string; key: string; cost: number; requests: number }>();
  for (const r of rows) {
    const date = localDate(hourStart(r));
    const key = keyOf(r, by) ?? (by === 'model' ? '(unknown)' : '(none)');
    const s = out.get(`${date}\t${key}`) ?? { date, key, cost: 0, requests: 0 };
    s.cost = round10(s.cost + spentOf(r));
    s.requests += r.requests;
    out.set(`${date}\t${key}`, s);
  }
  return [...out.values()].map((s) => ({ ...s, cost: money(s.cost) }));
}

/** The ten costliest models, and the models the price data does not know. */
function models(rows: RollupRow[]) {
  const by = new Map<string, Group & { provider: string; model: string }>();
  for (const r of rows) {
    const k = `${r.provider}\t${r.model}`;
    let m = by.get(k);
    if (!m) by.set(k, (m = { provider: r.provider, model: r.model || '(unknown)', ...newGroup() }));
    addTo(m, r);
  }
  const top = [...by.values()].sort((a, b) => b.cost - a.cost || b.requests - a.requests);
  return {
    topModels: top.slice(0, 10).map((m) => ({
      provider: m.provider,
      model: m.model,
      cost: money(m.cost),
      requests: m.requests,
      unpriced: m.unpriced,
      subscriptionValue: money(m.subscriptionValue),
    })),
    unpricedModels: top
      .filter((m) => m.unpriced > 0)
      .map((m) => ({ provider: m.provider, model: m.model, requests: m.unpriced })),
  };
}

/** Prompt-cache savings over the rows, per provider × model at its prices (PRODUCT.md §13). */
function savings(rows: RollupRow[], now: Date): number {
  const cached = new Map<string, { provider: string; model: string; read: number; write: number }>();
  for (const r of rows) {
    if (!r.model || (!r.cache_read_tokens && !r.cache_write_tokens)) continue;
    const k = `${r.provider}\t${r.model}`;
    const c = cached.get(k) ?? { provider: r.provider, model: r.model, read: 0, write: 0 };
    c.read += r.cache_read_tokens;
    c.write += r.cache_write_tokens;
    cached.set(k, c);
  }
  let saved = 0;
  for (const c of cached.values()) saved = round10(saved + cacheSavings(c.provider, c.model, c, now));
  return saved;
}

/** Per provider × model: Lava's cost against the local estimate, for synced requests. */
export function drift(rows: RollupRow[]) {
  const by = new Map<string, { provider: string; model: string; requests: number; lava: number; estimate: number }>();
  for (const r of rows) {
    if (!r.synced) continue;
    const key = `${r.provider}\t${r.model}`;
    const d = by.get(key) ?? { provider: r.provider, model: r.model, requests: 0, lava: 0, estimate: 0 };
    d.requests += r.synced;
    d.lava = round10(d.lava + r.synced_cost);
    d.estimate = round10(d.estimate + r.synced_estimate);
    by.set(key, d);
  }
  return [...by.values()].map((d) => ({
    ...d,
    lava: money(d.lava),
    estimate: money(d.estimate),
    difference: money(d.lava - d.estimate),
    ratio: d.estimate > 0 ? Number((d.lava / d.estimate).toFixed(4)) : null,
  }));
}

/** The window spend reports read: enough local days back, and through the current hour. */
export function spendWindow(days: number, now = new Date()): [Date, Date] {
  const from = Math.min(localDayStart(Math.max(days, 30) - 1, now).getTime(), localMonthStart(now).getTime());
  return [new Date(from - DAY), new Date(now.getTime() + 3_600_000)];
}
