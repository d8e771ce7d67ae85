/**
 * The Spend page's Budgets block: one bar per cap (everything's, a tool's, a project's) and
 * window, showing what is spent, what running requests hold and what is left, coloured at 50, 80
 * and 100 % (PRODUCT.md §14).
 */
import { basename, money, type BudgetScope, type BudgetsStatus } from '../api';

const PERIOD = { daily: 'Today', monthly: 'This month' } as const;

/** The cap's name: everything, the tool id, the project's folder (full path on hover). */
function capName(c: BudgetScope) {
  if (c.scope === 'global') return <span>Everything</span>;
  if (c.scope === 'tool') return <span>{c.key}</span>;
  return <span title={c.key!}>{basename(c.key!)} (project)</span>;
}

/** Which colour a bar takes: under 50 %, from 50, from 80, at 100 % of its limit. */
export const level = (percent: number): 'ok' | 'half' | 'near' | 'over' =>
  percent >= 100 ? 'over' : percent >= 80 ? 'near' : percent >= 50 ? 'half' : 'ok';

/** An amount in cents, small ones with their digits (`$0.0042`). */
const amount = (v: string) => money(v, Number(v) > 0 && Number(v) < 0.01 ? 4 : 2);

/** A limit, short: `$10`, `$2.50`. */
const limit = (n: number) => (Number.isInteger(n) ? `$${n}` : money(n, 2));

const width = (part: number, limit: number) => `${Math.min(100, Math.max(0, (part / limit) * 100))}%`;

function Bar({ c }: { c: BudgetScope }) {
  const spent = Number(c.spent);
  const held = Number(c.reserved);
  const name = c.scope === 'global' ? 'everything' : c.key!;
  return (
    <li class={`budget lvl-${level(c.percent)}`} data-scope={c.scope} data-key={c.key ?? ''} data-period={c.period}>
      <div class="budget-head">
        <strong>
          {PERIOD[c.period]} · {capName(c)}
        </strong>
        <span>
          {amount(c.spent)} of {limit(c.limit)} · {amount(c.left)} left
          {held > 0 && <> · {amount(c.reserved)} held by running requests</>}
        </span>
      </div>
      <div
        class="meter"
        role="progressbar"
        aria-label={`${PERIOD[c.period]} budget, ${name}`}
        aria-valuemin={0}
        aria-valuemax={c.limit}
        aria-valuenow={spent}
        aria-valuetext={`${c.percent}% spent`}
      >
        <span class="spent" style={{ width: width(spent, c.limit) }} />
        <span class="held" style={{ width: width(Math.min(held, c.limit - spent), c.limit) }} />
      </div>
    </li>
  );
}

export function BudgetProgress({ budgets }: { budgets: BudgetsStatus }) {
  if (!budgets.scopes.length) return null;
  const order = { global: 0, tool: 1, project: 2 };
  const scopes = [...budgets.scopes].sort(
    (a, b) =>
      order[a.scope] - order[b.scope] || (a.key ?? '').localeCompare(b.key ?? '') || a.period.localeCompare(b.period),
  );
  return (
    <section class="budgets" aria-labelledby="budgets-h">
      <h2 id="budgets-h">Budgets</h2>
      {budgets.exceeded && <p class="banner">A budget is reached: requests it covers are refused.</p>}
      <p class="note">
        {budgets.hardStop
          ? 'Hard stop on: a request that could run past a cap is refused (402).'
          : 'Alerts only: requests are not refused when a cap is reached (turn on the hard stop in Keys & settings).'}
      </p>
      <ul class="budget-list">
        {scopes.map((c) => (
          <Bar key={`${c.scope}:${c.key}:${c.period}`} c={c} />
        ))}
      </ul>
    </section>
  );
}
