/**
 * The session id a request itself carries (PRODUCT.md §13, TOOLCHAIN.md "What the agents carry"). Pure.
 * Claude Code: header `x-claude-code-session-id`, else body `metadata.user_id` (2.1.78+: a JSON string
 * `{"device_id":…,"account_uuid":…,"session_id":…}`; before: `user_<hash>_account_<uuid>_session_<uuid>`).
 * Codex: headers `session-id` / `session_id` / `thread-id` / `conversation_id`, else body `prompt_cache_key`.
 * Every rule is tried on every request: a wrong guess only fails to join, it never invents a project.
 */

export interface SessionHints {
  session?: string;
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** What a session id may look like: a short token (a header value is copied into records and the index). */
const SESSION_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;
/** `prompt_cache_key` is free-form for other clients: only a UUID counts as a session there. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LEGACY_USER_ID = /_session_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const CLAUDE_HEADER = 'x-claude-code-session-id';
const CODEX_HEADERS = ['session-id', 'session_id', 'thread-id', 'conversation_id'] as const;

/** The session id in a request's headers (lower-case names, as Node gives them) or JSON body. */
export function sessionHints(headers: HeaderBag, json: unknown): SessionHints {
  const session =
    header(headers, CLAUDE_HEADER) ??
    fromUserId(field(json, 'metadata', 'user_id')) ??
    firstHeader(headers, CODEX_HEADERS) ??
    fromCacheKey(field(json, 'prompt_cache_key'));
  return session ? { session } : {};
}

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  const t = s?.trim();
  return t && SESSION_SHAPE.test(t) ? t : undefined;
}

function firstHeader(headers: HeaderBag, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = header(headers, n);
    if (v) return v;
  }
  return undefined;
}

/** `metadata.user_id`: a JSON string holding `session_id`, or the older `…_session_<uuid>` form. */
export function fromUserId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (value.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
    const id = field(parsed, 'session_id');
    return typeof id === 'string' && SESSION_SHAPE.test(id) ? id : undefined;
  }
  return LEGACY_USER_ID.exec(value)?.[1];
}

function fromCacheKey(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value : undefined;
}

/** `obj[a][b]…`, or undefined when any step is not a plain object. */
function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
