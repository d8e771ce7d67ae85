/**
 * History: every stored record, newest first, 100 at a time through the cursor (never the whole
 * store), filtered on the server by tool, project, billing, provider, model, status, dates and
 * text. The filters live in the URL hash (`#/history?tool=codex`) so a link reopens them.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, basename, historyPage, money, type HistoryFilters, type HistoryRow } from '../api';
import { Detail } from './live';
import { FIELDS, HistoryFilterForm, type Filters } from './history-filters';

const PAGE = 100;
type Loading = 'idle' | 'loading' | 'searching' | 'error';

/** The filters in `#/history?…`. */
function filtersFromHash(): Filters {
  const qs = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return Object.fromEntries(FIELDS.filter((f) => qs.get(f)).map((f) => [f, qs.get(f)!]));
}

function hashOf(f: Filters): string {
  const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  return `#/history${qs ? `?${qs}` : ''}`;
}

/** Dates (YYYY-MM-DD, the machine's local days) as the API's instants: `until` includes its day. */
function toQuery(f: Filters): HistoryFilters {
  const day = (d: string, plus = 0) => {
    const t = new Date(`${d}T00:00:00`);
    t.setDate(t.getDate() + plus);
    return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
  };
  return { ...f, since: f.since && day(f.since), until: f.until && day(f.until, 1) };
}

export function History() {
  const [filters, setFilters] = useState<Filters>(filtersFromHash);
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState<Loading>('loading');
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<HistoryRow>();
  const running = useRef<AbortController | undefined>(undefined);
  const latest = useRef({ cursor, loading, rows, filters });
  latest.current = { cursor, loading, rows, filters };

  const load = async (reset: boolean) => {
    running.current?.abort();
    const ac = new AbortController();
    running.current = ac;
    const base = reset ? [] : latest.current.rows;
    if (reset) setRows([]);
    setLoading('loading');
    try {
      const page = await historyPage(toQuery(filters), reset ? null : latest.current.cursor, PAGE, {
        signal: ac.signal,
        onSearching: (found) => {
          if (ac.signal.aborted) return;
          setRows([...base, ...found]);
          setLoading('searching');
        },
      });
      if (ac.signal.aborted) return;
      setRows([...base, ...page.data]);
      setCursor(page.next_cursor);
      setLoading('idle');
    } catch (e) {
      if (ac.signal.aborted) return;
      setError(e instanceof ApiError ? e.message : String(e));
      setLoading('error');
    }
  };
  const more = () => {
    if (latest.current.loading === 'idle' && latest.current.cursor) void load(false);
  };

  useEffect(() => {
    if (location.hash !== hashOf(filters)) history.replaceState(null, '', hashOf(filters));
    void load(true);
    return () => running.current?.abort();
  }, [filters]);
  useEffect(() => {
    const onHash = () => {
      if (location.hash.startsWith('#/history') && location.hash !== hashOf(latest.current.filters))
        setFilters(filtersFromHash());
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  return (
    <section class="history">
      <HistoryFilterForm filters={filters} onChange={setFilters} />
      <p class="count" role="status" data-testid="history-count">
        {rows.length} {rows.length === 1 ? 'request' : 'requests'}
        {loading === 'searching' && ' · searching older records…'}
        {loading === 'loading' && ' · loading…'}
        {loading === 'idle' && !cursor && rows.length > 0 && ' · that is all'}
      </p>
      {loading === 'error' && <p class="error">Could not load the history: {error}</p>}
      {loading === 'idle' && rows.length === 0 && <p class="empty">No request matches these filters.</p>}
      {rows.length > 0 && <HistoryTable rows={rows} selected={selected?.id} onSelect={setSelected} />}
      {cursor && (
        <Sentinel onVisible={more}>
          <button type="button" onClick={more} disabled={loading !== 'idle'}>
            Load older
          </button>
        </Sentinel>
      )}
      {selected && <Detail id={selected.id} fallback={selected} onClose={() => setSelected(undefined)} />}
    </section>
  );
}

/** Calls `onVisible` whenever its content scrolls into view (infinite paging). */
function Sentinel({ onVisible, children }: { onVisible: () => void; children: preact.ComponentChildren }) {
  const el = useRef<HTMLDivElement>(null);
  const cb = useRef(onVisible);
  cb.current = onVisible;
  useEffect(() => {
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && cb.current());
    io.observe(el.current!);
    return () => io.disconnect();
  }, []);
  return (
    <div class="more" ref={el}>
      {children}
    </div>
  );
}

const failed = (r: HistoryRow) => Boolean(r.error) || (r.status ?? 0) >= 400 || r.status === 0;

function HistoryTable(props: { rows: HistoryRow[]; selected?: string; onSelect: (r: HistoryRow) => void }) {
  return (
    <table class="history-table" aria-label="History">
      <thead>
        <tr>
          {['time', 'tool', 'project', 'branch', 'model', 'tokens', 'cost', 'billing', 'status'].map((h) => (
            <th key={h} class={h === 'tokens' || h === 'cost' ? 'num' : undefined}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr
            key={r.id}
            data-id={r.id}
            tabIndex={0}
            aria-selected={props.selected === r.id}
            class={failed(r) ? 'failed' : undefined}
            onClick={() => props.onSelect(r)}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && props.onSelect(r)}
          >
            <td>{new Date(r.startedAt).toLocaleString()}</td>
            <td>{r.tool ?? '—'}</td>
            <td title={r.project ?? undefined}>{r.project ? basename(r.project) : '—'}</td>
            <td>{r.branch ?? '—'}</td>
            <td>{r.model ?? '—'}</td>
            <td class="num">{r.usage?.total_tokens.toLocaleString() ?? ''}</td>
            <td class="num">{r.cost !== undefined ? money(r.cost, 5) : r.usage ? 'unpriced' : '—'}</td>
            <td>{r.billing ?? '—'}</td>
            <td class="status">{failed(r) ? String(r.status || 'error') : String(r.status ?? '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
