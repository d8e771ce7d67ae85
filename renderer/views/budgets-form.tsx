/**
 * Keys & settings' Budgets section (PRODUCT.md §14): everything's daily and monthly cap, the hard
 * stop, what a request reserves, unpriced models, a cap per tool and per project (budget-rows.tsx),
 * and the runaway guard.
 */
import type { JSX } from 'preact';
import type { BudgetSettings, GuardSettings } from '../api';
import { CapRows } from './budget-rows';

/** The settings form's field renderer (a labelled input bound to a config path). */
export type FieldFn = (
  path: string,
  label: string,
  value: string | number | undefined,
  opts?: { type?: 'text' | 'number'; secret?: boolean; placeholder?: string },
) => JSX.Element;

export interface BudgetsFormProps {
  budgets: BudgetSettings;
  guards: GuardSettings;
  locked: Record<string, string>;
  errors: Record<string, string>;
  field: FieldFn;
  change: (path: string, value: unknown) => void;
}

export function BudgetsForm({ budgets: b, guards, locked, errors, field, change }: BudgetsFormProps) {
  const lock = locked['budgets.hardStop'];
  return (
    <fieldset class="budgets-form">
      <legend>Budgets (USD)</legend>
      <p class="note">Caps for everything, per tool and per project; alerts at 50, 80 and 100 %.</p>
      {field('budgets.daily', 'Daily', b.daily, { type: 'number' })}
      {field('budgets.monthly', 'Monthly', b.monthly, { type: 'number' })}
      <div class="field">
        <label>
          <input
            type="checkbox"
            defaultChecked={b.hardStop}
            disabled={Boolean(lock)}
            onChange={(e) => change('budgets.hardStop', e.currentTarget.checked)}
          />{' '}
          Refuse requests once a budget is reached
        </label>
        {lock && <small>set by {lock}</small>}
      </div>
      {field('budgets.reserveOutputTokens', 'Output tokens held per running request', b.reserveOutputTokens, {
        type: 'number',
        placeholder: '4096',
      })}
      <p class="note">
        Under the hard stop a request is admitted only if its worst case (its input plus this many output tokens, or its
        max_tokens if fewer) fits every cap.
      </p>
      <div class="field">
        <label for="f-budgets-unpriced">Models without a known price, under the hard stop</label>
        <select
          id="f-budgets-unpriced"
          defaultValue={b.unpriced}
          disabled={Boolean(locked['budgets.unpriced'])}
          onChange={(e) => change('budgets.unpriced', e.currentTarget.value)}
        >
          <option value="pass">let them through</option>
          <option value="refuse">refuse them</option>
        </select>
        {locked['budgets.unpriced'] && <small>set by {locked['budgets.unpriced']}</small>}
        <small>Their cost cannot be counted, so a cap cannot hold them: refusing keeps the cap exact.</small>
      </div>
      <CapRows kind="tools" initial={b.tools} locked={locked} errors={errors} change={change} />
      <CapRows kind="projects" initial={b.projects} locked={locked} errors={errors} change={change} />
      <h3>Runaway guard (per tool; 0 turns a limit off)</h3>
      {field('guards.runaway.requestsPerMinute', 'Requests per minute', guards.runaway.requestsPerMinute, {
        type: 'number',
        placeholder: '120',
      })}
      {field('guards.runaway.dollarsPerHour', 'Dollars per hour', guards.runaway.dollarsPerHour, {
        type: 'number',
        placeholder: '20',
      })}
    </fieldset>
  );
}
