/**
 * Request guards that run before any route.
 * - Host: a loopback name with our port (or the host we were explicitly bound to). Stops DNS
 *   rebinding, where a web page's own hostname is pointed at 127.0.0.1.
 * - Origin: a web page must not spend the user's money. Proxy routes refuse browser requests
 *   unless their Origin is in `security.allowedOrigins`; `/api`, `/mcp` and the Lava-shaped reads
 *   accept only the dashboard's own origin.
 * - Spelling: express matches routes case-insensitively, with a trailing slash, a `#…` tail or an
 *   absolute-form target (`GET http://host/api/…`). Every request target is first brought to
 *   origin form, and a path is an admin path under any spelling the router could match (letter
 *   case, `%`-escapes), so no spelling reaches an admin handler without the checks.
 */
import type { IncomingMessage } from 'node:http';

export interface GuardConfig {
  port: number;
  boundHost: string;
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function allowedHosts(g: GuardConfig): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (!['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::'].includes(g.boundHost)) {
    names.add(g.boundHost.includes(':') ? `[${g.boundHost}]` : g.boundHost);
  }
  return new Set([...names].map((n) => `${n}:${g.port}`));
}

export function dashboardOrigins(port: number): Set<string> {
  return new Set(LOOPBACK_NAMES.map((n) => `http://${n}:${port}`));
}

export type Verdict = { ok: true } | { ok: false; status: number; code: string; message: string };

export function checkHost(req: IncomingMessage, hosts: Set<string>): Verdict {
  const host = (req.headers.host ?? '').toLowerCase();
  if (hosts.has(host)) return { ok: true };
  return {
    ok: false,
    status: 421,
    code: 'bad_host',
    message: `Host "${host}" is not this gateway (DNS rebinding protection)`,
  };
}

/** Proxy routes: browsers only from allowlisted origins. */
export function checkProxyOrigin(req: IncomingMessage, allowed: readonly string[]): Verdict {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin === undefined && (site === undefined || site === 'none' || site === 'same-origin')) return { ok: true };
  if (origin !== undefined && allowed.includes(origin)) return { ok: true };
  return {
    ok: false,
    status: 403,
    code: 'origin_not_allowed',
    message: `browser requests from ${origin ?? 'another site'} are refused; add the origin to security.allowedOrigins to allow it`,
  };
}

/** `/api`, `/mcp`, Lava-shaped reads: no Origin (non-browser) or the dashboard's own. */
export function checkAdminOrigin(req: IncomingMessage, own: Set<string>): Verdict {
  const origin = req.headers.origin;
  if (origin === undefined) {
    const site = req.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin' || site === 'none') return { ok: true };
  } else if (own.has(origin)) return { ok: true };
  return {
    ok: false,
    status: 403,
    code: 'origin_not_allowed',
    message: `requests from ${origin ?? 'another site'} are refused`,
  };
}

const ADMIN_PREFIXES = ['/api', '/mcp', '/v1/requests', '/v1/usage'];

/** True for `/api`, `/mcp`, `/v1/requests`, `/v1/usage` and anything under them, however spelled. */
export function isAdminPath(path: string): boolean {
  const spellings = [path.toLowerCase()];
  if (path.includes('%')) {
    try {
      spellings.push(decodeURIComponent(path).toLowerCase());
    } catch {
      // a malformed escape: the raw spelling is checked
    }
  }
  return spellings.some((p) => ADMIN_PREFIXES.some((a) => p === a || p.startsWith(a + '/') || p.startsWith(a + '#')));
}

export type Target =
  { ok: true; url: string; path: string } | { ok: false; status: number; code: string; message: string };

/**
 * The request target in origin form (`/path?query`), and its path. An absolute-form target must
 * name this gateway (the same rule as Host); `*` and other forms are refused.
 */
export function originForm(raw: string, hosts: Set<string>): Target {
  let url = raw;
  if (!raw.startsWith('/')) {
    const u = /^https?:\/\//i.test(raw) && URL.canParse(raw) ? new URL(raw) : undefined;
    if (!u) return { ok: false, status: 400, code: 'bad_request_target', message: 'the request target must be a path' };
    if (!hosts.has(u.host.toLowerCase()))
      return { ok: false, status: 421, code: 'bad_host', message: `"${u.host}" is not this gateway` };
    url = u.pathname + u.search;
  }
  const end = url.search(/[?#]/);
  return { ok: true, url, path: end < 0 ? url : url.slice(0, end) };
}
