/**
 * Live requests: a row appears when a request starts and is completed in place when it ends.
 * Filters and search; a detail panel; only the visible rows are rendered (windowed list).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, money, subscribe, type RequestRow } from '../api';

const ROW = 32;
const MAX_ROWS = 5000;

export function Live() {
  const [rows, setRows] = useState<RequestRow[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [filter, setFilter] = useState({ provider: '', status: '', q: '' });
  const [selected, setSelected] = useState<RequestRow>();

  useEffect(() => {
    void api<{ data: RequestRow[] }>('/api/requests?limit=500').then((r) => {
      setRows(r.data);
      setLoaded(true);
    });
    return subscribe((type, data) => {
      const req = (data as { request: RequestRow }).request;
      if (type === 'request.started') setRows((rs) => [{ ...req, pending: true }, ...rs].slice(0, MAX_ROWS));
      if (type === 'request.completed')
        setRows((rs) => (rs.some((r) => r.id === req.id) ? rs.map((r) => (r.id === req.id ? req : r)) : [req, ...rs]));
    });
  }, []);

  const shown = useMemo(() => {
    const q = filter.q.toLowerCase();
    return rows.filter((r) => {
      if (filter.provider && r.provider !== filter.provider) return false;
      if (filter.status === 'error' && !(r.error || (r.status ?? 0) >= 400)) return false;
      if (filter.status === 'ok' && (r.pending || r.error || (r.status ?? 0) >= 400)) return false;
      return !q || [r.id, r.model, r.provider, r.client, r.error].some((v) => v?.toLowerCase().includes(q));
    });
  }, [rows, filter]);
  const providers = useMemo(() => [...new Set(rows.map((r) => r.provider))].sort(), [rows]);

  if (loaded && rows.length === 0) {
    return (
      <section class="empty" aria-live="polite">
        <h2>No requests yet</h2>
        <p>
          Point a tool at this gateway — see <a href="#/connect">Connect</a> — and each request will appear here as it
          happens, with its tokens and cost.
        </p>
      </section>
    );
  }
  return (
    <section class="live">
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Provider
          <select value={filter.provider} onChange={(e) => setFilter({ ...filter, provider: e.currentTarget.value })}>
            <option value="">all</option>
            {providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.currentTarget.value })}>
            <option value="">all</option>
            <option value="ok">ok</option>
            <option value="error">errors</option>
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            value={filter.q}
            onInput={(e) => setFilter({ ...filter, q: e.currentTarget.value })}
            placeholder="model, id, client…"
          />
        </label>
        <span class="count">{shown.length} requests</span>
      </form>
      <div class="table-head" role="row">
        <span>time</span>
        <span>status</span>
        <span>provider</span>
        <span>model</span>
        <span>client</span>
        <span class="num">in</span>
        <span class="num">out</span>
        <span class="num">cost</span>
        <span class="num">latency</span>
      </div>
      <Windowed rows={shown} onSelect={setSelected} selected={selected?.id} />
      {selected && <Detail id={selected.id} fallback={selected} onClose={() => setSelected(undefined)} />}
    </section>
  );
}

function Windowed({
  rows,
  onSelect,
  selected,
}: {
  rows: RequestRow[];
  onSelect: (r: RequestRow) => void;
  selected?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const height = 480;
  const first = Math.max(0, Math.floor(top / ROW) - 5);
  const last = Math.min(rows.length, first + Math.ceil(height / ROW) + 10);
  return (
    <div
      class="rows"
      ref={box}
      role="table"
      aria-label="Requests"
      aria-rowcount={rows.length}
      tabIndex={0}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: `${rows.length * ROW}px`, position: 'relative' }}>
        {rows.slice(first, last).map((r, i) => (
          <Row key={r.id} r={r} top={(first + i) * ROW} onSelect={onSelect} selected={selected === r.id} />
        ))}
      </div>
    </div>
  );
}

function Row({
  r,
  top,
  onSelect,
  selected,
}: {
  r: RequestRow;
  top: number;
  onSelect: (r: RequestRow) => void;
  selected: boolean;
}) {
  const failed = Boolean(r.error) || (r.status ?? 0) >= 400;
  const status = r.pending ? '…' : failed ? String(r.status || 'error') : String(r.status);
  return (
    <div
      role="row"
      tabIndex={0}
      aria-selected={selected}
      class={`row${failed ? ' failed' : ''}${r.pending ? ' pending' : ''}${selected ? ' selected' : ''}`}
      style={{ top: `${top}px` }}
      onClick={() => onSelect(r)}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && onSelect(r)}
      data-id={r.id}
    >
      <span>{new Date(r.startedAt).toLocaleTimeString()}</span>
      <span class="status">{status}</span>
      <span>{r.provider}</span>
      <span class="model">{r.model ?? '—'}</span>
      <span>{r.client ?? ''}</span>
      <span class="num">{r.usage?.input_tokens ?? ''}</span>
      <span class="num">{r.usage?.output_tokens ?? ''}</span>
      <span class="num">{r.pending ? '' : r.cost !== undefined ? money(r.cost, 5) : r.usage ? 'unpriced' : '—'}</span>
      <span class="num">{r.durationMs !== undefined ? `${r.durationMs} ms` : ''}</span>
    </div>
  );
}

export function Detail({ id, fallback, onClose }: { id: string; fallback: RequestRow; onClose: () => void }) {
  const [r, setR] = useState<RequestRow>(fallback);
  useEffect(() => {
    void api<RequestRow>(`/api/requests/${id}`).then(setR, () => undefined);
  }, [id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside class="detail" aria-label="Request detail">
      <button type="button" class="close" onClick={onClose} aria-label="Close detail">
        ×
      </button>
      <h2>{r.model ?? r.provider}</h2>
      <dl>
        {(
          [
            ['id', r.id],
            ['started', new Date(r.startedAt).toLocaleString()],
            ['provider', `${r.provider} (${r.mode ?? ''})`],
            ['endpoint', `${r.method ?? ''} ${r.path ?? ''}`],
            ['status', r.error ? `${r.status} — ${r.error}` : String(r.status ?? '')],
            ['stream', r.stream ? 'yes' : 'no'],
            [
              'tokens in / out',
              r.usage
                ? `${r.usage.input_tokens} / ${r.usage.output_tokens} (cache read ${r.usage.cache_read_tokens})`
                : '—',
            ],
            ['usage from', r.usageSource ?? ''],
            ['cost', `${r.cost !== undefined ? money(r.cost, 6) : 'unpriced'} (${r.costSource ?? ''})`],
            ['local estimate', r.localCost !== undefined ? money(r.localCost, 6) : '—'],
            ['latency / first byte', `${r.durationMs ?? ''} ms / ${r.ttfbMs ?? '—'} ms`],
            ['client', r.client ?? ''],
            ['response id', r.responseId ?? '—'],
          ] as const
        ).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}
