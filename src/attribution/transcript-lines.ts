/**
 * What one line of an agent's session file says about where a request ran. Pure.
 * Claude Code (`~/.claude/projects/<dir>/<sessionId>.jsonl`): most lines carry `sessionId`, `cwd`,
 * `gitBranch` (the branch at the time of that line, "" outside a repo) and `timestamp`; an assistant
 * line's `message.id` is the upstream's `msg_…` id, the same id the gateway saw in the response.
 * Codex (`~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<id>.jsonl`): the first line is
 * `{"type":"session_meta","payload":{"id","cwd","git":{"branch"},…}}`; later lines add nothing we need.
 */

export type AgentKind = 'claude' | 'codex';

export interface LineFact {
  session: string;
  project: string | null;
  branch: string | null;
  /** Claude Code assistant lines: the Anthropic response id (`msg_…`). */
  messageId?: string;
  /** The line's own time (ms), when it has one. */
  at?: number;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function parse(line: string): Obj | undefined {
  try {
    return obj(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** A Claude Code transcript line, or undefined when it names no session. */
export function claudeFact(line: string): LineFact | undefined {
  // Most lines are large tool results: skip the parse when the line cannot name a session.
  if (!line.includes('"sessionId"')) return undefined;
  const o = parse(line);
  const session = o && str(o.sessionId);
  if (!o || !session) return undefined;
  const fact: LineFact = { session, project: str(o.cwd), branch: str(o.gitBranch) };
  const id = o.type === 'assistant' ? str(obj(o.message)?.id) : null;
  if (id) fact.messageId = id;
  const at = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : NaN;
  if (Number.isFinite(at)) fact.at = at;
  return fact;
}

/** A Codex rollout's `session_meta` line, or undefined for any other line. */
export function codexFact(line: string): LineFact | undefined {
  if (!line.includes('"session_meta"')) return undefined;
  const o = parse(line);
  const p = o?.type === 'session_meta' ? obj(o.payload) : undefined;
  const session = p && str(p.id);
  if (!p || !session) return undefined;
  return { session, project: str(p.cwd), branch: str(obj(p.git)?.branch) };
}
