/**
 * Budgets (PRODUCT.md §8, §14): spend per scope — everything, each tool, each project — today and
 * this month, kept in memory (seeded from rollups, moved by every record), alerts at 50/80/100 %
 * per scope once per period, and with `budgets.hardStop` reservations: a request is admitted only
 * if what is spent, plus what running requests have reserved, plus its own worst case fits under
 * every cap that applies (else 402, in the client's API shape, naming the budget and what is
 * left); its reservation becomes its actual cost when it ends. A running stream may spend past its
 * reservation only while the caps have room (`streamCheck`). Days and months are local.
 */
import type { GatewayConfig } from '../config.js';
import type { RequestRecord, UsageStore } from '../store/types.js';
import { localDate, localDayStart, localMonth, localMonthStart } from '../lib/local-date.js';
import { hourStart, spentOf } from '../store/rollups.js';
import { money, round10 } from '../lib/money.js';
import { GatewayError } from '../lib/errors.js';
import type { GatewayEvent } from './events.js';
import { capsFor, inProject, scopeKey, type Cap, type Period, type Scope } from './budget-scopes.js';

export { capsFor, type Cap, type Scope } from './budget-scopes.js';

/** What budgets need of a gateway: its budget settings, its store, where alerts go. */
export interface BudgetHost {
  config: Pick<GatewayConfig, 'budgets'>;
  store: Pick<UsageStore, 'rollups'>;
  events: { emitEvent(e: GatewayEvent): void };
  budget?: BudgetState;
}

export const THRESHOLDS = [50, 80, 100] as const;

interface Spent {
  daily: number;
  monthly: number;
}

/** A running request's claim on the caps that apply to it, in USD. */
export interface Reservation {
  id: string;
  amount: number;
  tool: string | null;
  project: string | null;
}

export interface BudgetState {
  day: string;
  /** Everything's spend today and this month (money spent: plan-billed requests are not). */
  today: number;
  month: string;
  thisMonth: number;
  /** Spend per `tool:<id>` / `project:<path>` scope. */
  scoped: Map<string, Spent>;
  /** Running requests' reservations, by request id. */
  reserved: Map<string, Reservation>;
  /** `daily:2026-11-26:80` (global) or `tool:codex:daily:2026-11-26:80` — alerts already sent. */
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
    today: 0,
    month: localMonth(now),
    thisMonth: 0,
    scoped: new Map(),
    reserved: new Map(),
    fired: new Set(),
    dayFrom: dayStart,
    dayTo: localDayStart(-1, now).getTime(),
  };
  for (const r of rows) addSpend(state, r.tool, r.project, spentOf(r), hourStart(r) >= dayStart);
  // Thresholds already behind us at start-up are not announced again.
  for (const a of crossed(ctx, state)) state.fired.add(a.key);
  return state;
}

function addSpend(s: BudgetState, tool: string | null, project: string | null, cost: number, today: boolean): void {
  if (!cost) return;
  s.thisMonth = round10(s.thisMonth + cost);
  if (today) s.today = round10(s.today + cost);
  for (const key of [tool && scopeKey('tool', tool), project && scopeKey('project', project)]) {
    if (!key) continue;
    const x = s.scoped.get(key) ?? { daily: 0, monthly: 0 };
    x.monthly = round10(x.monthly + cost);
    if (today) x.daily = round10(x.daily + cost);
    s.scoped.set(key, x);
  }
}

/**
 * A finished request: its reservation is released and its cost counted (in the project its
 * reservation was made for, when attribution has not named one yet); thresholds crossed are announced.
 */
export function recordSpend(ctx: BudgetHost, state: BudgetState, r: RequestRecord, now = new Date()): void {
  const t = now.getTime();
  if (t < state.dayFrom || t >= state.dayTo) turnDay(state, now);
  const held = state.reserved.get(r.id);
  state.reserved.delete(r.id);
  // A request billed to the client's own plan spends no money.
  const cost = r.billing === 'subscription' ? 0 : Number(r.cost ?? 0);
  if (!cost) return;
  addSpend(state, r.tool ?? held?.tool ?? null, r.project ?? held?.project ?? null, cost, true);
  announceBudgets(ctx, state);
}

/** Attribution named a record's project after it was counted: its spend moves into that project's scope. */
export function attributeSpend(
  ctx: BudgetHost,
  state: BudgetState,
  r: RequestRecord,
  before: string | null,
  now = new Date(),
): void {
  const cost = r.billing === 'subscription' ? 0 : Number(r.cost ?? 0);
  if (!cost || !r.project || r.project === before || localMonth(new Date(r.startedAt)) !== state.month) return;
  const today = Date.parse(r.startedAt) >= state.dayFrom && now.getTime() < state.dayTo;
  const key = scopeKey('project', r.project);
  const x = state.scoped.get(key) ?? { daily: 0, monthly: 0 };
  x.monthly = round10(x.monthly + cost);
  if (today) x.daily = round10(x.daily + cost);
  state.scoped.set(key, x);
  announceBudgets(ctx, state);
}

/** A new local day (or the clock moved back): today restarts, and the month when it changed too. */
function turnDay(state: BudgetState, now: Date): void {
  const day = localDate(now);
  if (day !== state.day) {
    state.day = day;
    state.today = 0;
    for (const x of state.scoped.values()) x.daily = 0;
  }
  const month = localMonth(now);
  if (month !== state.month) {
    state.month = month;
    state.thisMonth = 0;
    state.scoped.clear();
  }
  state.dayFrom = localDayStart(0, now).getTime();
  state.dayTo = localDayStart(-1, now).getTime();
}

/** What a scope has spent in a period. */
export function spentIn(s: BudgetState, scope: Scope, period: Period): number {
  if (scope.kind === 'global') return period === 'daily' ? s.today : s.thisMonth;
  if (scope.kind === 'tool') return s.scoped.get(scopeKey('tool', scope.key))?.[period] ?? 0;
  // A project's cap covers the folders inside it.
  let sum = 0;
  for (const [key, x] of s.scoped)
    if (key.startsWith('project:') && inProject(key.slice(8), scope.key)) sum = round10(sum + x[period]);
  return sum;
}

/** What running requests (but `except`) have reserved under a cap. */
export function reservedIn(s: BudgetState, cap: Cap, except?: string): number {
  let sum = 0;
  for (const r of s.reserved.values()) if (r.id !== except && cap.covers(r)) sum += r.amount;
  return round10(sum);
}

/** Sends the alerts for thresholds newly crossed (after a request, or when a budget is lowered). */
export function announceBudgets(ctx: BudgetHost, state: BudgetState): void {
  for (const a of crossed(ctx, state)) {
    if (state.fired.has(a.key)) continue;
    state.fired.add(a.key);
    emitAlert(ctx, a.cap, a.threshold, a.spent);
  }
}

export function emitAlert(ctx: BudgetHost, cap: Cap, threshold: number, spent: number): void {
  ctx.events.emitEvent({
    type: 'budget.alert',
    period: cap.period,
    threshold,
    spent: money(spent),
    limit: cap.limit,
    ...(cap.scope.kind === 'global' ? {} : { scope: cap.scope.kind, key: cap.scope.key }),
  });
}

/** `daily:2026-11-26:80` for everything's caps, `tool:codex:daily:2026-11-26:80` for a scope's. */
export function alertKey(s: BudgetState, cap: Cap, threshold: number): string {
  const stamp = cap.period === 'daily' ? s.day : s.month;
  const prefix = cap.scope.kind === 'global' ? '' : `${scopeKey(cap.scope.kind, cap.scope.key)}:`;
  return `${prefix}${cap.period}:${stamp}:${threshold}`;
}

function crossed(ctx: BudgetHost, s: BudgetState) {
  const out: { key: string; cap: Cap; threshold: number; spent: number }[] = [];
  for (const cap of capsFor(ctx.config.budgets)) {
    const spent = spentIn(s, cap.scope, cap.period);
    for (const t of THRESHOLDS)
      if (spent >= (cap.limit * t) / 100) out.push({ key: alertKey(s, cap, t), cap, threshold: t, spent });
  }
  return out;
}

/** With hardStop, the refusal for a new request once a global cap is reached (before its body is read). */
export function budgetRefusal(ctx: BudgetHost, s: BudgetState | undefined, extra = 0): GatewayError | undefined {
  const b = ctx.config.budgets;
  if (!b.hardStop || !s) return undefined;
  for (const cap of capsFor(b)) {
    if (cap.scope.kind !== 'global') continue;
    const spent = spentIn(s, cap.scope, cap.period);
    if (spent + extra >= cap.limit) return refusal(cap, spent, 0);
  }
  return undefined;
}

/** A 402 naming the budget and what is left of it. */
export function refusal(cap: Cap, spent: number, reserved: number, what = 'request'): GatewayError {
  const left = Math.max(0, cap.limit - spent - reserved);
  const name =
    cap.scope.kind === 'global' ? `${cap.period} budget` : `${cap.period} budget of ${cap.scope.kind} ${cap.scope.key}`;
  const held = reserved > 0 ? `, $${reserved.toFixed(2)} held by running requests` : '';
  const raise =
    cap.scope.kind === 'global'
      ? `budgets.${cap.period}`
      : `budgets.${cap.scope.kind === 'tool' ? 'tools' : 'projects'}["${cap.scope.key}"].${cap.period}`;
  return new GatewayError(
    402,
    'budget_exceeded',
    `Lava Desktop ${name} reached for this ${what}: $${spent.toFixed(2)} of $${cap.limit.toFixed(2)} spent${held}, $${left.toFixed(2)} left. Raise ${raise} in the settings${cap.period === 'daily' ? ', or wait until tomorrow' : ''}.`,
  );
}
