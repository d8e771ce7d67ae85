/**
 * Admission under a hard budget (PRODUCT.md §14): a request whose worst case (its input tokens
 * and the output it may still produce, at its model's prices) does not fit under every cap that
 * applies — counting what is spent and what running requests hold — is refused with a 402; one
 * that fits holds that much until its record is counted. A stream may go past its hold only while
 * every cap still has room; `check` says when it must be cut.
 */
import { GatewayError } from '../lib/errors.js';
import { money, round10 } from '../lib/money.js';
import { capsFor, capsOver, type Cap } from './budget-scopes.js';
import {
  alertKey,
  emitAlert,
  refusal,
  reservedIn,
  spentIn,
  THRESHOLDS,
  type BudgetHost,
  type BudgetState,
  type Reservation,
} from './budgets.js';

export interface Claim {
  id: string;
  tool: string | null;
  project: string | null;
  /** The request's worst-case cost in USD; undefined when its model has no known prices. */
  worst: number | undefined;
  model?: string;
}

export interface Admission {
  refusal?: GatewayError;
  /** For a running stream: given its cost so far, the refusal that cuts it, if it must be cut. */
  check?: (partial: number) => GatewayError | undefined;
}

/** Whether any cap could apply (a hard stop with a cap): otherwise nothing is counted or held. */
export const budgetsActive = (b: BudgetHost['config']['budgets']): boolean => b.hardStop && capsFor(b).length > 0;

export function admit(ctx: BudgetHost, s: BudgetState, claim: Claim): Admission {
  const b = ctx.config.budgets;
  if (!b.hardStop) return {};
  const caps = capsOver(b, claim);
  if (caps.length === 0) return {};
  if (claim.worst === undefined) {
    if (b.unpriced !== 'refuse') return {};
    return {
      refusal: new GatewayError(
        402,
        'budget_unpriced_model',
        `Lava Desktop refuses ${claim.model ? `"${claim.model}"` : 'this model'} under a hard budget: its prices are not known, so its cost cannot be held against the budget. Set budgets.unpriced to "pass" to let such requests through.`,
      ),
    };
  }
  for (const cap of caps) {
    const spent = spentIn(s, cap.scope, cap.period);
    const held = reservedIn(s, cap);
    if (spent + held + claim.worst > cap.limit) {
      reached(ctx, s, cap, spent);
      return { refusal: refusal(cap, spent, held) };
    }
  }
  const hold: Reservation = { id: claim.id, amount: claim.worst, tool: claim.tool, project: claim.project };
  s.reserved.set(claim.id, hold);
  return { check: (partial) => overrun(s, caps, hold, partial) };
}

/** A cap that refuses requests is reached: its 100 % alert goes out now (once per period), not only when spend gets there. */
function reached(ctx: BudgetHost, s: BudgetState, cap: Cap, spent: number): void {
  for (const t of THRESHOLDS) {
    const key = alertKey(s, cap, t);
    if (s.fired.has(key) || (t < 100 && spent < (cap.limit * t) / 100)) continue;
    s.fired.add(key);
    emitAlert(ctx, cap, t, spent);
  }
}

/** A stream past its hold keeps going only while every cap has room for what it has cost so far. */
function overrun(s: BudgetState, caps: Cap[], hold: Reservation, partial: number): GatewayError | undefined {
  if (partial <= hold.amount) return undefined;
  for (const cap of caps) {
    const spent = spentIn(s, cap.scope, cap.period);
    const held = reservedIn(s, cap, hold.id);
    if (spent + held + partial > cap.limit) return refusal(cap, spent, held, 'stream');
  }
  hold.amount = partial;
  return undefined;
}

/** A global cap is reached: its spend got there, or it refuses requests whose worst case no longer fits. */
export function budgetReached(ctx: BudgetHost): boolean {
  const s = ctx.budget;
  if (!s) return false;
  return capsFor(ctx.config.budgets).some(
    (c) => c.scope.kind === 'global' && (spentIn(s, c.scope, c.period) >= c.limit || s.fired.has(alertKey(s, c, 100))),
  );
}

/** What the dashboard, the tray, `statusline` and MCP show of the budgets. */
export function budgetStatus(ctx: BudgetHost) {
  const s = ctx.budget;
  const b = ctx.config.budgets;
  const view = (cap: Cap) => {
    const spent = s ? spentIn(s, cap.scope, cap.period) : 0;
    const held = s ? reservedIn(s, cap) : 0;
    return {
      scope: cap.scope.kind,
      key: cap.scope.key,
      period: cap.period,
      limit: cap.limit,
      spent: money(spent),
      reserved: money(held),
      left: money(Math.max(0, round10(cap.limit - spent - held))),
      percent: Math.round((spent / cap.limit) * 1000) / 10,
    };
  };
  const scopes = capsFor(b).map(view);
  const global = (period: string) => scopes.find((c) => c.scope === 'global' && c.period === period) ?? null;
  let reserved = 0;
  for (const r of s?.reserved.values() ?? []) reserved = round10(reserved + r.amount);
  return {
    daily: global('daily'),
    monthly: global('monthly'),
    hardStop: b.hardStop,
    exceeded: budgetReached(ctx),
    reserved: money(reserved),
    reserveOutputTokens: b.reserveOutputTokens,
    unpriced: b.unpriced,
    scopes,
  };
}

/** One cap as `/api/spend` reports it under `budgets.scopes`. */
export type BudgetScopeView = ReturnType<typeof budgetStatus>['scopes'][number];
