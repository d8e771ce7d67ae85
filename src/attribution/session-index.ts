/**
 * What the agents' session files say, kept in memory and fed by file contents: session id → where
 * (working directory, latest branch, Claude transcript file) and Claude response id (`msg_…`) → the
 * session, directory and branch of that response's own line. Bounded: message ids older than a day
 * are forgotten and every map has a cap (oldest entries go first).
 */
import { LineSplitter } from './line-splitter.js';
import { claudeFact, codexFact, type AgentKind, type LineFact } from './transcript-lines.js';

export interface Place {
  session: string;
  project: string | null;
  branch: string | null;
}

export interface SessionEntry extends Place {
  kind: AgentKind;
  /** Claude Code: the session's own transcript (`<sessionId>.jsonl`), when seen. */
  file?: string;
}

export interface IndexOptions {
  maxSessions?: number;
  maxMessages?: number;
  maxFiles?: number;
  messageTtlMs?: number;
  now?: () => number;
}

interface FileState {
  kind: AgentKind;
  lines: LineSplitter;
  /** Codex: the session_meta line was read; nothing later in the file matters. */
  done: boolean;
}

type Listener = (fact: LineFact) => void;

const DAY_MS = 86_400_000;

export class SessionIndex {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly messages = new Map<string, { place: Place; at: number }>();
  private readonly files = new Map<string, FileState>();
  private readonly listeners = new Set<Listener>();
  private readonly maxSessions: number;
  private readonly maxMessages: number;
  private readonly maxFiles: number;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: IndexOptions = {}) {
    this.maxSessions = opts.maxSessions ?? 20_000;
    this.maxMessages = opts.maxMessages ?? 50_000;
    this.maxFiles = opts.maxFiles ?? 20_000;
    this.ttl = opts.messageTtlMs ?? DAY_MS;
    this.now = opts.now ?? Date.now;
  }

  /** Feeds the next bytes of `file`; returns how many lines said where a session runs. */
  feed(file: string, kind: AgentKind, chunk: Buffer): number {
    const st = this.state(file, kind);
    if (st.done) return 0;
    let n = 0;
    for (const line of st.lines.push(chunk)) {
      const fact = kind === 'claude' ? claudeFact(line) : codexFact(line);
      // A line without cwd (a queue operation) says nothing about where the session runs.
      if (!fact?.project) continue;
      n++;
      this.add(kind, file, fact);
      // Only a rollout's first session_meta is its own (a fork repeats its parent's after it).
      if (kind === 'codex') st.done = true;
      if (st.done) break;
    }
    return n;
  }

  /** The next bytes fed for `file` start in the middle of a line (a read of the file's tail). */
  startMidLine(file: string, kind: AgentKind): void {
    this.state(file, kind).lines.startMidLine();
  }

  /** Forget what was kept for `file` (it shrank, or went away): the next feed starts afresh. */
  reset(file: string): void {
    this.files.delete(file);
  }

  /** True once nothing more in `file` can add to the index (a Codex rollout whose meta was read). */
  isDone(file: string): boolean {
    return this.files.get(file)?.done ?? false;
  }

  session(id: string): SessionEntry | undefined {
    return this.sessions.get(id);
  }

  /** The place of a Claude response id's own transcript line (exact), if seen within the last day. */
  message(id: string): Place | undefined {
    const m = this.messages.get(id);
    if (!m) return undefined;
    if (m.at < this.now() - this.ttl) {
      this.messages.delete(id);
      return undefined;
    }
    return m.place;
  }

  /** Called for each line that names a session, after the index took it in. Returns an unsubscribe. */
  onFact(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get size(): { sessions: number; messages: number; files: number } {
    return { sessions: this.sessions.size, messages: this.messages.size, files: this.files.size };
  }

  private state(file: string, kind: AgentKind): FileState {
    let st = this.files.get(file);
    if (!st) {
      st = { kind, lines: new LineSplitter(), done: false };
      this.files.set(file, st);
      capMap(this.files, this.maxFiles);
    }
    return st;
  }

  private add(kind: AgentKind, file: string, fact: LineFact): void {
    const prev = this.sessions.get(fact.session);
    const entry: SessionEntry = {
      kind,
      session: fact.session,
      project: fact.project,
      branch: fact.branch,
      file: ownFile(kind, file, fact.session) ?? prev?.file,
    };
    this.sessions.delete(fact.session); // re-insert: most recently seen last, so the cap drops the stalest
    this.sessions.set(fact.session, entry);
    capMap(this.sessions, this.maxSessions);
    if (fact.messageId) this.addMessage(fact.messageId, entry, fact.at);
    for (const fn of this.listeners) fn(fact);
  }

  /** `entry` was just built from the message's own line: its branch is that line's. */
  private addMessage(id: string, entry: SessionEntry, lineAt: number | undefined): void {
    const at = lineAt ?? this.now();
    if (at < this.now() - this.ttl) return;
    // A response spans several lines (one per content block): its first line decides.
    if (this.messages.has(id)) return;
    this.messages.set(id, { place: { session: entry.session, project: entry.project, branch: entry.branch }, at });
    this.pruneMessages();
  }

  private pruneMessages(): void {
    const old = this.now() - this.ttl;
    for (const [id, m] of this.messages) {
      if (m.at >= old && this.messages.size <= this.maxMessages) break;
      this.messages.delete(id);
    }
  }
}

function ownFile(kind: AgentKind, file: string, session: string): string | undefined {
  if (kind === 'codex') return file;
  return file.endsWith(`${session}.jsonl`) ? file : undefined;
}

function capMap<K, V>(m: Map<K, V>, max: number): void {
  while (m.size > max) {
    const first = m.keys().next();
    if (first.done) return;
    m.delete(first.value);
  }
}
