/**
 * Joins recorded requests to the session they came from (PRODUCT.md §13 "Where spend comes from"):
 * exactly, by the response id's own transcript line (Claude Code `msg_…`), else by the session id the
 * request carried. A record whose line or session is not in the index yet waits (at most `delayMs`,
 * 60 s) and is retried as each new line lands. At give-up, project and branch stay null; the session
 * id a Claude Code or Codex request itself carried is still exact, so `session` is set from it alone.
 */
import type { SessionHints } from './hints.js';
import type { Place, SessionIndex } from './session-index.js';
import type { LineFact } from './transcript-lines.js';
import type { SessionWatcher } from './watcher.js';

export interface AttributionPatch {
  project: string | null;
  branch: string | null;
  session: string | null;
}

export interface NotedRecord {
  id: string;
  tool: string | null;
  /** The upstream's response id (Anthropic `msg_…`), when the response had one. */
  responseId?: string;
}

export interface AttributorOptions {
  /** The running watcher (its index, and its on-demand lookup of older sessions)… */
  watcher?: SessionWatcher;
  /** …or just an index someone else feeds. */
  index?: SessionIndex;
  update: (id: string, patch: AttributionPatch) => Promise<unknown>;
  now?: () => number;
  /** How long a record may wait for its session's file (default 60 s). */
  delayMs?: number;
  /** How long a Claude record waits for its own response line before its session's latest (default 10 s). */
  messageWaitMs?: number;
  maxPending?: number;
  log?: (msg: string) => void;
}

export interface AttributionStats {
  /** Records given a project. */
  joined: number;
  /** Records whose project stays null (this includes the session-only ones). */
  unattributed: number;
  /** Of the unattributed: given only the session id their request carried. */
  sessionOnly: number;
}

interface Pending extends NotedRecord {
  session?: string;
  since: number;
}

/** The tools whose session id in a request is known to be a real session id. */
const AGENTS = new Set(['claude-code', 'codex']);

export class Attributor {
  private readonly index: SessionIndex;
  private readonly waiting = new Map<string, Pending>();
  private readonly byKey = new Map<string, Set<string>>();
  private readonly counts: AttributionStats = { joined: 0, unattributed: 0, sessionOnly: 0 };
  private readonly unsubscribe: () => void;
  private readonly now: () => number;
  private readonly delayMs: number;
  private readonly messageWaitMs: number;
  private readonly maxPending: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: AttributorOptions) {
    const index = opts.watcher?.index ?? opts.index;
    if (!index) throw new Error('Attributor needs a watcher or an index');
    this.index = index;
    this.now = opts.now ?? Date.now;
    this.delayMs = opts.delayMs ?? 60_000;
    this.messageWaitMs = Math.min(opts.messageWaitMs ?? 10_000, this.delayMs);
    this.maxPending = opts.maxPending ?? 10_000;
    this.unsubscribe = index.onFact((f) => this.onFact(f));
  }

  /** A request was recorded: join it now, or keep it until its session's file says where it ran. */
  note(record: NotedRecord, hints: SessionHints): void {
    const p: Pending = { id: record.id, tool: record.tool, since: this.now() };
    if (record.responseId) p.responseId = record.responseId;
    if (hints.session) p.session = hints.session;
    if (!p.responseId && !p.session) {
      if (AGENTS.has(record.tool ?? '')) this.counts.unattributed++;
      return;
    }
    if (this.tryJoin(p)) return;
    this.hold(p);
    if (p.session && !this.index.session(p.session)) void this.opts.watcher?.lookup(p.session);
  }

  /** How many records are waiting. */
  pending(): number {
    return this.waiting.size;
  }

  stats(): AttributionStats {
    return { ...this.counts };
  }

  /** Stops retrying; records still waiting keep null fields. */
  close(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.waiting.clear();
    this.byKey.clear();
  }

  /** Joins `p` if the index knows its line or its session; false when it must wait. */
  private tryJoin(p: Pending): boolean {
    const line = p.responseId ? this.index.message(p.responseId) : undefined;
    if (line) {
      this.join(p, line);
      return true;
    }
    const s = p.session ? this.index.session(p.session) : undefined;
    if (!s) return false;
    // Claude Code writes each response's own line (with the branch of that moment) just after it ends.
    const lineDue = s.kind === 'claude' && p.responseId?.startsWith('msg_');
    if (lineDue && this.now() - p.since < this.messageWaitMs) return false;
    this.join(p, s);
    return true;
  }

  private join(p: Pending, place: Place): void {
    this.drop(p);
    if (place.project) this.counts.joined++;
    else this.counts.unattributed++;
    this.send(p.id, { project: place.project, branch: place.branch, session: place.session });
  }

  private giveUp(p: Pending): void {
    this.drop(p);
    this.counts.unattributed++;
    if (!p.session || !AGENTS.has(p.tool ?? '')) return;
    this.counts.sessionOnly++;
    this.send(p.id, { project: null, branch: null, session: p.session });
  }

  private send(id: string, patch: AttributionPatch): void {
    this.opts.update(id, patch).catch((e) => this.opts.log?.(`attribution: cannot update ${id}: ${String(e)}`));
  }

  private onFact(f: LineFact): void {
    const ids = [...(this.byKey.get(f.session) ?? []), ...(f.messageId ? (this.byKey.get(f.messageId) ?? []) : [])];
    for (const id of ids) {
      const p = this.waiting.get(id);
      if (p) this.tryJoin(p);
    }
  }

  private hold(p: Pending): void {
    const old = this.waiting.get(p.id);
    if (old) this.drop(old);
    if (this.waiting.size >= this.maxPending) {
      const oldest = this.waiting.values().next();
      if (!oldest.done) this.giveUp(oldest.value);
    }
    this.waiting.set(p.id, p);
    for (const k of keys(p)) {
      let set = this.byKey.get(k);
      if (!set) this.byKey.set(k, (set = new Set()));
      set.add(p.id);
    }
    this.timer ??= setInterval(() => this.sweep(), this.tick());
    this.timer.unref();
  }

  private drop(p: Pending): void {
    this.waiting.delete(p.id);
    for (const k of keys(p)) {
      const set = this.byKey.get(k);
      set?.delete(p.id);
      if (set?.size === 0) this.byKey.delete(k);
    }
    if (this.waiting.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Gives up on the records that waited too long; lets the others fall back to their session. */
  private sweep(): void {
    const now = this.now();
    for (const p of [...this.waiting.values()]) {
      if (now - p.since >= this.delayMs) this.giveUp(p);
      else if (now - p.since >= this.messageWaitMs) this.tryJoin(p);
    }
  }

  private tick(): number {
    return Math.max(10, Math.min(1000, Math.floor(this.messageWaitMs / 4)));
  }
}

function keys(p: Pending): string[] {
  return [p.session, p.responseId].filter((k): k is string => !!k);
}
