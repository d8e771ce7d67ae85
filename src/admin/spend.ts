/**
 * Spend from rollups (never from records, so it costs O(days)): totals for today, 7 and 30
 * days and this month, a per-day series by model or provider, top models, unpriced models and
 * the drift between Lava's cost and the local estimate. Days are the machine's local days.
 */
import type { RollupRow } from '../store/types.js';
import { hourStart, totals } from '../store/rollups.js';
import { money, round10 } from '../lib/money.js';
import { localDate, localDayStart, localMonthStart } from '../lib/local-date.js';

const DAY = 86_400_000;

export function spendReport(rows: RollupRow[], days: number, by: 'model' | 'provider', now = new Date()) {
  const since = (d: number) => rows.filter((r) => hourStart(r) >= localDayStart(d, now).getTime());
  const month = localMonthStart(now).getTime();
  const series = new Map<string, { date: string; key: string; cost: number; requests: number }>();
  for (const r of since(days - 1)) {
    const date = localDate(hourStart(r));
    const key = by === 'model' ? r.model || '(unknown)' : r.provider;
    const s = series.get(`${date}\t${key}`) ?? { date, key, cost: 0, requests: 0 };
    s.cost = round10(s.cost + r.cost);
    s.requests += r.requests;
    series.set(`${date}\t${key}`, s);
  }
  const models = new Map<
    string,
    { provider: string; model: string; cost: number; requests: number; unpriced: number }
  >();
  for (const r of since(days - 1)) {
    const k = `${r.provider}\t${r.model}`;
    const m = models.get(k) ?? {
      provider: r.provider,
      model: r.model || '(unknown)',
      cost: 0,
      requests: 0,
      unpriced: 0,
    };
    m.cost = round10(m.cost + r.cost);
    m.requests += r.requests;
    m.unpriced += r.unpriced;
    models.set(k, m);
  }
  const top = [...models.values()].sort((a, b) => b.cost - a.cost || b.requests - a.requests);
  return {
    today: totals(since(0)),
    last7Days: totals(since(6)),
    last30Days: totals(since(29)),
    month: totals(rows.filter((r) => hourStart(r) >= month)),
    by,
    days: Array.from({ length: days }, (_, i) => localDate(localDayStart(days - 1 - i, now).getTime())),
    series: [...series.values()].map((s) => ({ ...s, cost: money(s.cost) })),
    topModels: top.slice(0, 10).map((m) => ({ ...m, cost: money(m.cost) })),
    unpricedModels: top
      .filter((m) => m.unpriced > 0)
      .map((m) => ({ provider: m.provider, model: m.model, requests: m.unpriced })),
    drift: drift(rows),
  };
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
