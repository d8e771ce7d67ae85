/**
 * Budgets (PRODUCT.md §8): today's and this month's spend kept in memory (seeded from rollups,
 * moved by every record), alerts at 50/80/100 % on the event stream once per period, and with
 * `budgets.hardStop` new requests refused (402, in the client's API shape) once a cap is reached.
 * Days and months are the machine's local ones.
 */
import type { GatewayConfig } from '../config.js';
import type { RequestRecord, UsageStore } from '../store/types.js';
import { localDate, localDayStart, localMonth, localMonthStart } from '../lib/local-date.js';
import { hourStart, totals } from '../store/rollups.js';
import { money, round10 } from '../lib/money.js';
import { GatewayError } from '../lib/errors.js';
import type { GatewayEvent } from './events.js';

/** What budgets need of a gateway: its budget settings, its store, where alerts go. */
export interface BudgetHost {
  config: Pick<GatewayConfig, 'budgets'>;
  store: Pick<UsageStore, 'rollups'>;
  events: { emitEvent(e: GatewayEvent): void };
  budget?: BudgetState;
}

export const THRESHOLDS = [50, 80, 100] as const;

export interface BudgetState {
  day: string;
  today: number;
  month: string;
  thisMonth: number;
  /** `daily:2026-11-26:80` — alerts already sent (or passed before start-up). */
  fired: Set<string>;
  /** The local day's bounds in ms, so a record does not format dates to know its day. */
  dayFrom: number;
  dayTo: number;
}

export async function initBudgets(ctx: BudgetHost, now = new Date()): Promise<BudgetState> {
  const dayStart = localDayStart(0, now).getTime();
  const rows = await ctx.store.rollups(localMonthStart(now), new Date(now.getTime() + 3_600_000));
  const state: BudgetState = {
    day: localDate(now.getTime()),
    today: Number(totals(rows.filter((r) => hourStart(r) >= dayStart)).cost),
    month: localMonth(now),
    thisMonth: Number(totals(rows).cost),
    fired: new Set(),
    dayFrom: dayStart,
    dayTo: localDayStart(-1, now).getTime(),
  };
  // Thresholds already behind us at start-up are not announced again.
  for (const a of crossed(ctx, state)) state.fired.add(a.key);
  return state;
}

/** Adds a finished request's cost and announces the thresholds it crosses. */
export function recordSpend(ctx: BudgetHost, state: BudgetState, r: RequestRecord, now = new Date()): void {
  const t = now.getTime();
  if (t < state.dayFrom || t >= state.dayTo) turnDay(state, now);
  // A request billed to the client's own plan spends no money.
  const cost = r.billing === 'subscription' ? 0 : Number(r.cost ?? 0);
  if (!cost) return;
  state.today = round10(state.today + cost);
  state.thisMonth = round10(state.thisMonth + cost);
  announceBudgets(ctx, state);
}

/** A new local day (or the clock moved back): today restarts, and the month when it changed too. */
function turnDay(state: BudgetState, now: Date): void {
  const day = localDate(now);
  if (day !== state.day) Object.assign(state, { day, today: 0 });
  const month = localMonth(now);
  if (month !== state.month) Object.assign(state, { month, thisMonth: 0 });
  state.dayFrom = localDayStart(0, now).getTime();
  state.dayTo = localDayStart(-1, now).getTime();
}

/** Sends the alerts for thresholds newly crossed (after a request, or when a budget is lowered). */
export function announceBudgets(ctx: BudgetHost, state: BudgetState): void {
  for (const a of crossed(ctx, state)) {
    if (state.fired.has(a.key)) continue;
    state.fired.add(a.key);
    ctx.events.emitEvent({
      type: 'budget.alert',
      period: a.period,
      threshold: a.threshold,
      spent: money(a.spent),
      limit: a.limit,
    });
  }
}

function crossed(ctx: BudgetHost, s: BudgetState) {
  const out: { key: string; period: 'daily' | 'monthly'; threshold: number; spent: number; limit: number }[] = [];
  for (const [period, limit, spent, stamp] of [
    ['daily', ctx.config.budgets.daily, s.today, s.day],
    ['monthly', ctx.config.budgets.monthly, s.thisMonth, s.month],
  ] as const) {
    if (!limit) continue;
    for (const t of THRESHOLDS)
      if (spent >= (limit * t) / 100) out.push({ key: `${period}:${stamp}:${t}`, period, threshold: t, spent, limit });
  }
  return out;
}

/** With hardStop, the refusal for a new request once a cap is reached. */
export function budgetRefusal(ctx: BudgetHost, s: BudgetState | undefined, extra = 0): GatewayError | undefined {
  const b = ctx.config.budgets;
  if (!b.hardStop || !s) return undefined;
  if (b.daily && s.today + extra >= b.daily) {
    return new GatewayError(
      402,
      'budget_exceeded',
      `Lava Desktop daily budget reached ($${s.today.toFixed(2)} of $${b.daily.toFixed(2)}). Raise budgets.daily in the settings, or wait until tomorrow.`,
    );
  }
  if (b.monthly && s.thisMonth + extra >= b.monthly) {
    return new GatewayError(
      402,
      'budget_exceeded',
      `Lava Desktop monthly budget reached ($${s.thisMonth.toFixed(2)} of $${b.monthly.toFixed(2)}). Raise budgets.monthly in the settings.`,
    );
  }
  return undefined;
}

export async function budgetStatus(ctx: BudgetHost) {
  const s = ctx.budget;
  const b = ctx.config.budgets;
  const view = (limit: number | undefined, spent: number) =>
    limit ? { limit, spent: money(spent), percent: Math.round((spent / limit) * 1000) / 10 } : null;
  return {
    daily: view(b.daily, s?.today ?? 0),
    monthly: view(b.monthly, s?.thisMonth ?? 0),
    hardStop: b.hardStop,
    exceeded: Boolean(budgetRefusal({ ...ctx, config: { budgets: { ...b, hardStop: true } } }, s)),
  };
}
