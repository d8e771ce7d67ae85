/**
 * The Budgets section's rows of caps per tool and per project: to add, edit and remove. Rows become
 * one merge patch of what changed (a removed row is `null`); rows set by the config file or env
 * are locked; the server's reasons show by their row.
 */
import { useState } from 'preact/hooks';
import type { Caps } from '../api';

/** Tool ids the gateway attributes requests to (any other id may be typed). */
const TOOL_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode', 'aider', 'qwen-code', 'goose', 'cursor', 'mcp'];

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

export function CapRows(props: {
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
            {rows.map((r, i) => (
              <CapRow
                key={r.id}
                kind={kind}
                row={r}
                index={i}
                lock={lockOf(r.key)}
                twice={Boolean(r.key.trim()) && rows.findIndex((x) => x.key.trim() === r.key.trim()) !== i}
                errors={errorsOf(r.key)}
                edit={(part) => edit(r.id, part)}
                remove={() => update(rows.filter((x) => x.id !== r.id))}
              />
            ))}
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

/** One tool's or project's row: its key, its daily and monthly caps, why it is locked or refused. */
function CapRow(p: {
  kind: 'tools' | 'projects';
  row: Row;
  index: number;
  lock: string | undefined;
  twice: boolean;
  errors: [string, string][];
  edit: (part: Partial<Row>) => void;
  remove: () => void;
}) {
  const w = WHAT[p.kind];
  const key = p.row.key.trim();
  const name = key || `new ${w.one}`;
  const at = `budgets.${p.kind}.${key}`;
  return (
    <tr data-row={p.row.key}>
      <td>
        <input
          aria-label={`${w.one} ${p.index + 1}`}
          value={p.row.key}
          list={p.kind === 'tools' ? 'budget-tool-ids' : undefined}
          placeholder={w.placeholder}
          disabled={Boolean(p.lock)}
          onInput={(e) => p.edit({ key: e.currentTarget.value })}
        />
        {p.lock && <small>set by {p.lock}</small>}
        {p.twice && <small class="error">listed twice: the last row wins</small>}
        {p.errors.map(([path, m]) => (
          <small class="error" key={path}>
            {path.slice(at.length + 1) || name}: {m}
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
            value={p.row[period]}
            disabled={Boolean(p.lock)}
            aria-invalid={p.errors.some(([path]) => path === `${at}.${period}`) ? true : undefined}
            onInput={(e) => p.edit({ [period]: e.currentTarget.value })}
          />
        </td>
      ))}
      <td>
        {!p.lock && (
          <button type="button" aria-label={`Remove ${name}`} onClick={p.remove}>
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}
