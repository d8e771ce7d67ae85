/** The dashboard's only link to the gateway: /api over HTTP (session cookie) and /api/events over SSE. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as {
      error?: { message?: string };
      errors?: { path: string; message: string }[];
    };
    throw new ApiError(res.status, body.error?.message ?? `HTTP ${res.status}`, body.errors);
  }
  return (await res.json()) as T;
}

interface DesktopBridge {
  session(): Promise<{ url: string; token: string; version: string }>;
}

/**
 * Exchanges the admin token for the session cookie: from the desktop app's preload (the token is
 * never in a URL there), or from the `#token=` of the start line, which is then removed from the
 * address bar.
 */
export async function loginFromFragment(): Promise<void> {
  const bridge = (window as unknown as { lavaDesktop?: DesktopBridge }).lavaDesktop;
  if (bridge) {
    const { token } = await bridge.session();
    await api('/api/session', { method: 'POST', body: JSON.stringify({ token }) });
    return;
  }
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (!m) return;
  history.replaceState(null, '', location.pathname + location.search);
  await api('/api/session', { method: 'POST', body: JSON.stringify({ token: decodeURIComponent(m[1]!) }) });
}

export type EventHandler = (type: string, data: unknown) => void;

/** Subscribes to the live event stream; EventSource reconnects with Last-Event-ID by itself. */
export function subscribe(onEvent: EventHandler): () => void {
  const es = new EventSource('/api/events');
  const types = [
    'request.started',
    'request.completed',
    'sync.status',
    'budget.alert',
    'settings.changed',
    'settings.upstream_changed',
    'store.health',
    'gateway.paused',
    'gateway.resumed',
    'guard.tripped',
    'guard.resumed',
    'billing.changed',
  ];
  const listeners = types.map((t) => {
    const l = (e: MessageEvent<string>) => onEvent(t, JSON.parse(e.data));
    es.addEventListener(t, l as EventListener);
    return l;
  });
  return () => {
    types.forEach((t, i) => es.removeEventListener(t, listeners[i] as EventListener));
    es.close();
  };
}

export interface RequestRow {
  id: string;
  startedAt: string;
  durationMs?: number;
  ttfbMs?: number;
  provider: string;
  model?: string;
  method?: string;
  path?: string;
  client?: string;
  stream?: boolean;
  status?: number;
  error?: string;
  usage?: {
    input_tokens: number;
    output_tokens: number;
    cache_read_tokens: number;
    total_tokens: number;
    characters?: number;
  };
  usageSource?: string;
  cost?: string;
  costSource?: string;
  localCost?: string;
  responseId?: string;
  mode?: string;
  pending?: boolean;
}

export const money = (v: string | number | undefined, digits = 4): string =>
  v === undefined ? 'unpriced' : `$${Number(v).toFixed(digits)}`;

/** Who and where a request came from (PRODUCT.md §13); null when not known. */
export interface WhoWhere {
  tool?: string | null;
  tag?: string | null;
  project?: string | null;
  branch?: string | null;
  session?: string | null;
  billing?: 'subscription' | 'api' | 'lava' | null;
}
export type HistoryRow = RequestRow & WhoWhere;

/** The filter value that matches records where a who-and-where field is not known. */
export const NONE = '(none)';

/** One key of a spend breakdown (`key` null: not known, i.e. unattributed); sums to the window's total. */
export interface BreakdownRow {
  key: string | null;
  cost: string;
  subscriptionValue: string;
  requests: number;
  tokens: number;
  unpriced: number;
}

/** The part of `/api/spend?by=…` a breakdown reads. */
export interface SpendBreakdown {
  by: string;
  days: string[];
  breakdown: BreakdownRow[];
  cacheSavings: string;
}

export const spendBreakdown = (by: string, days: number) =>
  api<SpendBreakdown>(`/api/spend?days=${days}&by=${encodeURIComponent(by)}`);

/** History filters, as `/api/requests` takes them (empty = any). */
export type HistoryFilters = Partial<
  Record<
    'tool' | 'project' | 'billing' | 'provider' | 'model' | 'status' | 'since' | 'until' | 'q' | 'branch' | 'session',
    string
  >
>;

export interface HistoryPage {
  data: HistoryRow[];
  next_cursor: string | null;
}

/**
 * Up to `limit` records matching `filters`, older than `cursor`. The server scans a bounded number
 * of records per call, so a filtered page may come back short with a cursor: this keeps asking
 * until the page is full or there is nothing older, telling `onSearching` what it found so far.
 */
export async function historyPage(
  filters: HistoryFilters,
  cursor: string | null,
  limit: number,
  opts: { signal?: AbortSignal; onSearching?: (found: HistoryRow[]) => void } = {},
): Promise<HistoryPage> {
  const data: HistoryRow[] = [];
  let next = cursor;
  do {
    const qs = new URLSearchParams({ limit: String(limit - data.length) });
    for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
    if (next) qs.set('cursor', next);
    const page = await api<HistoryPage>(`/api/requests?${qs}`, { signal: opts.signal });
    data.push(...page.data);
    next = page.next_cursor;
    if (data.length < limit && next) opts.onSearching?.([...data]);
  } while (data.length < limit && next && !opts.signal?.aborted);
  return { data, next_cursor: next };
}

/** A coding agent as the Connect page shows it (from `GET /api/connect`). */
export interface Agent {
  id: string;
  name: string;
  installed: boolean;
  connected: boolean;
  changed?: boolean;
  file: string | null;
  canConnect: boolean;
  note: string | null;
  lastSeen: string | null;
}

export interface ConnectOutcome {
  ok: boolean;
  changed: boolean;
  diff: string;
  notes?: string[];
}

/** Connects (POST) or disconnects (DELETE) one tool for this gateway; the diff of what changed. */
export const setConnected = (tool: string, on: boolean) =>
  api<ConnectOutcome>(`/api/connect/${encodeURIComponent(tool)}`, { method: on ? 'POST' : 'DELETE' });

/** "3 minutes ago", "yesterday"… for an ISO time. */
export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
  ];
  let v = s;
  for (const [unit, size] of steps) {
    if (Math.abs(v) < size) return rtf.format(v, unit);
    v = Math.round(v / size);
  }
  return rtf.format(v, 'year');
}

/** The last part of a path (a project's folder name). */
export const basename = (path: string): string =>
  path
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop() || path;

/** One budget cap as `/api/spend` reports it (PRODUCT.md §14): amounts are USD decimal strings. */
export interface BudgetScope {
  scope: 'global' | 'tool' | 'project';
  /** The tool id or project path; null for everything's cap. */
  key: string | null;
  period: 'daily' | 'monthly';
  limit: number;
  spent: string;
  /** Held by requests still running (their worst case), not yet spent. */
  reserved: string;
  left: string;
  /** Spent as a share of the limit, in % (one decimal). */
  percent: number;
}

/** `/api/spend`'s `budgets`. */
export interface BudgetsStatus {
  daily: BudgetScope | null;
  monthly: BudgetScope | null;
  hardStop: boolean;
  exceeded: boolean;
  reserved: string;
  reserveOutputTokens: number;
  unpriced: 'pass' | 'refuse';
  scopes: BudgetScope[];
}

/** Budgets and guards as `/api/settings` shows them (and PATCH takes them). */
export interface Caps {
  daily?: number;
  monthly?: number;
}
export interface BudgetSettings extends Caps {
  hardStop: boolean;
  tools: Record<string, Caps>;
  projects: Record<string, Caps>;
  reserveOutputTokens: number;
  unpriced: 'pass' | 'refuse';
}
export interface GuardSettings {
  runaway: { requestsPerMinute: number; dollarsPerHour: number };
}
