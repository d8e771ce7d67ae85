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
