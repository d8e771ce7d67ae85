/**
 * Keys & settings' Budgets section (PRODUCT.md §14): everything's daily and monthly cap, the hard
 * stop, what a request reserves, unpriced models, a cap per tool and per project (rows to add and
 * remove), and the runaway guard. Rows become one merge patch of what changed (a removed row is
 * `null`); rows set by the config file or env are locked; the server's reasons show by their row.
 */
import { useState } from 'preact/hooks';
import type { JSX } from 'preact';
import type { BudgetSettings, Caps, GuardSettings } from '../api';

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

/** Tool ids the gateway attributes requests to (any other id may be typed). */
const TOOL_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'aider', 'qwen-code', 'goose', 'cursor', 'mcp'];

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

interface Row {
  id: number;
  key: string;
  daily: string;
  monthly: string;
}

const asNumber = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));
const rowsOf = (caps: Record<string, Caps>): Row[] =>
  Object.entries(caps).map(([key, c], id) => ({
    id,
    key,
    daily: c.daily === undefined ? '' : String(c.daily),
    monthly: c.monthly === undefined ? '' : String(c.monthly),
  }));

/** The merge patch that turns `initial` into `rows` (undefined: nothing changed). */
export function capsPatch(initial: Record<string, Caps>, rows: Row[]): Record<string, Caps | null> | undefined {
  const out: Record<string, { daily: number | null; monthly: number | null } | null> = {};
  const keys = new Set(rows.map((r) => r.key.trim()).filter(Boolean));
  for (const k of Object.keys(initial)) if (!keys.has(k)) out[k] = null;
  for (const r of rows) {
    const key = r.key.trim();
    if (!key) continue;
    const daily = asNumber(r.daily);
    const monthly = asNumber(r.monthly);
    const was = initial[key];
    if (daily === undefined && monthly === undefined) {
      if (was) out[key] = null;
    } else if (!was || was.daily !== daily || was.monthly !== monthly) {
      out[key] = { daily: daily ?? null, monthly: monthly ?? null };
    }
  }
  return Object.keys(out).length ? (out as Record<string, Caps | null>) : undefined;
}

const WHAT = {
  tools: { title: 'Per tool', one: 'tool', placeholder: 'codex' },
  projects: { title: 'Per project (a folder and the folders inside it)', one: 'project', placeholder: '/home/me/shop' },
} as const;

function CapRows(props: {
  kind: 'tools' | 'projects';
  initial: Record<string, Caps>;
  locked: Record<string, string>;
  errors: Record<string, string>;
  change: (path: string, value: unknown) => void;
}) {
  const { kind, initial, locked, errors } = props;
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initial));
  const [next, setNext] = useState(rows.length);
  const w = WHAT[kind];
  const base = `budgets.${kind}`;
  const update = (list: Row[]) => {
    setRows(list);
    props.change(base, capsPatch(initial, list));
  };
  const edit = (id: number, part: Partial<Row>) => update(rows.map((r) => (r.id === id ? { ...r, ...part } : r)));
  const lockOf = (key: string) =>
    Object.entries(locked).find(([p]) => p === base || p.startsWith(`${base}.${key}.`) || p === `${base}.${key}`)?.[1];
  const errorsOf = (key: string) =>
    Object.entries(errors).filter(
      ([p]) => key.trim() && (p === `${base}.${key.trim()}` || p.startsWith(`${base}.${key.trim()}.`)),
    );
  const placed = new Set(rows.flatMap((r) => errorsOf(r.key).map(([p]) => p)));
  const other = Object.entries(errors).filter(([p]) => p.startsWith(`${base}.`) && !placed.has(p));
  return (
    <div class={`cap-rows ${kind}`}>
      <h3>{w.title}</h3>
      {kind === 'tools' && (
        <datalist id="budget-tool-ids">
          {TOOL_IDS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      )}
      {rows.length > 0 && (
        <table class="caps">
          <thead>
            <tr>
              <th>{w.one}</th>
              <th>daily</th>
              <th>monthly</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const lock = lockOf(r.key);
              const twice = r.key.trim() && rows.findIndex((x) => x.key.trim() === r.key.trim()) !== i;
              const name = r.key.trim() || `new ${w.one}`;
              const errs = errorsOf(r.key);
              return (
                <tr key={r.id} data-row={r.key}>
                  <td>
                    <input
                      aria-label={`${w.one} ${i + 1}`}
                      value={r.key}
                      list={kind === 'tools' ? 'budget-tool-ids' : undefined}
                      placeholder={w.placeholder}
                      disabled={Boolean(lock)}
                      onInput={(e) => edit(r.id, { key: e.currentTarget.value })}
                    />
                    {lock && <small>set by {lock}</small>}
                    {twice && <small class="error">listed twice: the last row wins</small>}
                    {errs.map(([p, m]) => (
                      <small class="error" key={p}>
                        {p.slice(base.length + r.key.trim().length + 2) || name}: {m}
                      </small>
                    ))}
                  </td>
                  {(['daily', 'monthly'] as const).map((period) => (
                    <td key={period}>
                      <input
                        type="number"
                        step="any"
                        min="0"
                        aria-label={`${name} ${period} cap`}
                        value={r[period]}
                        disabled={Boolean(lock)}
                        aria-invalid={errors[`${base}.${r.key.trim()}.${period}`] ? true : undefined}
                        onInput={(e) => edit(r.id, { [period]: e.currentTarget.value })}
                      />
                    </td>
                  ))}
                  <td>
                    {!lock && (
                      <button
                        type="button"
                        aria-label={`Remove ${name}`}
                        onClick={() => update(rows.filter((x) => x.id !== r.id))}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button
        type="button"
        onClick={() => {
          setRows([...rows, { id: next, key: '', daily: '', monthly: '' }]);
          setNext(next + 1);
        }}
      >
        Add a {w.one} cap
      </button>
      {other.map(([p, m]) => (
        <small class="error" key={p}>
          {p}: {m}
        </small>
      ))}
    </div>
  );
}
