/** History's filters: selects filled from the rollups' keys (cheap), text fields applied after a pause. */
import { useEffect, useState } from 'preact/hooks';
import { basename, NONE, spendBreakdown } from '../api';

export const FIELDS = ['tool', 'project', 'billing', 'provider', 'model', 'status', 'since', 'until', 'q'] as const;
export type Filters = Partial<Record<(typeof FIELDS)[number], string>>;

/** The keys a dimension has taken in the last year (from the rollups, so cheap), for the selects. */
function useKeys(by: string): string[] {
  const [keys, setKeys] = useState<string[]>([]);
  useEffect(() => {
    spendBreakdown(by, 366).then(
      (r) => setKeys(r.breakdown.map((b) => b.key ?? NONE)),
      () => undefined,
    );
  }, [by]);
  return keys;
}

function Choice(props: { label: string; value?: string; options: string[]; onChange: (v: string) => void }) {
  const options = props.value && !props.options.includes(props.value) ? [props.value, ...props.options] : props.options;
  return (
    <label>
      {props.label}
      <select
        aria-label={props.label}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o} title={o}>
            {o === NONE ? '(unattributed)' : props.label === 'Project' ? basename(o) : o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function HistoryFilterForm({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  const [text, setText] = useState({ q: filters.q ?? '', model: filters.model ?? '' });
  useEffect(() => setText({ q: filters.q ?? '', model: filters.model ?? '' }), [filters.q, filters.model]);
  useEffect(() => {
    if (text.q === (filters.q ?? '') && text.model === (filters.model ?? '')) return;
    const t = setTimeout(() => onChange({ ...filters, ...text }), 300);
    return () => clearTimeout(t);
  }, [text]);
  const set = (k: keyof Filters) => (v: string) => onChange({ ...filters, [k]: v });
  const tools = useKeys('tool');
  const projects = useKeys('project');
  const providers = useKeys('provider');
  return (
    <form class="filters wrap" role="search" aria-label="History filters" onSubmit={(e) => e.preventDefault()}>
      <Choice label="Tool" value={filters.tool} options={tools} onChange={set('tool')} />
      <Choice label="Project" value={filters.project} options={projects} onChange={set('project')} />
      <Choice
        label="Billing"
        value={filters.billing}
        options={['subscription', 'api', 'lava', NONE]}
        onChange={set('billing')}
      />
      <Choice label="Provider" value={filters.provider} options={providers} onChange={set('provider')} />
      <label>
        Model
        <input value={text.model} onInput={(e) => setText({ ...text, model: e.currentTarget.value })} />
      </label>
      <Choice label="Status" value={filters.status} options={['ok', 'error']} onChange={set('status')} />
      <label>
        From
        <input type="date" value={filters.since ?? ''} onInput={(e) => set('since')(e.currentTarget.value)} />
      </label>
      <label>
        To
        <input type="date" value={filters.until ?? ''} onInput={(e) => set('until')(e.currentTarget.value)} />
      </label>
      <label>
        Search
        <input
          type="search"
          value={text.q}
          placeholder="id, model, project…"
          onInput={(e) => setText({ ...text, q: e.currentTarget.value })}
        />
      </label>
      {Object.values(filters).some(Boolean) && (
        <button type="button" onClick={() => onChange({})}>
          Clear filters
        </button>
      )}
    </form>
  );
}
