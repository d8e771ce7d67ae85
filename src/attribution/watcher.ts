/**
 * Watches Claude Code's and Codex's session files (`<home>/.claude/projects`, `<home>/.codex/sessions`)
 * and feeds what is appended to them into a SessionIndex. At start only files written in the last 48 h
 * are read (in the background: start() returns at once); older files are neither read nor watched one
 * by one until they change (their directory is), or until a lookup asks for one session's file.
 * A root that does not exist yet is polled for cheaply (one stat) until it appears. Never throws.
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { FileReader } from './file-reader.js';
import { findClaudeTranscript, findCodexRollout, uuidV7Time } from './locate.js';
import { SessionIndex } from './session-index.js';
import type { AgentKind } from './transcript-lines.js';

export interface WatcherOptions {
  /** Default os.homedir(). */
  home?: string;
  /** Default `<home>/.claude/projects` (Claude Code's CLAUDE_CONFIG_DIR moves it). */
  claudeProjects?: string;
  /** Default `<home>/.codex/sessions` (Codex's CODEX_HOME moves it). */
  codexSessions?: string;
  index?: SessionIndex;
  /** Files written within this window are read at start (default 48 h). */
  recentMs?: number;
  /** How often a missing root is looked for (default 10 s). */
  pollMs?: number;
  log?: (msg: string) => void;
  now?: () => number;
}

const MAX_LOOKUPS = 10_000;
/** Past chokidar's 50 ms change throttle. */
const TRAILING_MS = 80;

export class SessionWatcher {
  readonly index: SessionIndex;
  private readonly roots: Record<AgentKind, string>;
  private readonly reader: FileReader;
  private readonly recentMs: number;
  private readonly pollMs: number;
  private readonly log: (msg: string) => void;
  private readonly now: () => number;
  private fsw: FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private scanned: Promise<void> = Promise.resolve();
  private readonly looked = new Set<string>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private closed = false;
  /** Ends the wait for the first scan when closed before it finished. */
  private wake: (() => void) | null = null;

  constructor(opts: WatcherOptions = {}) {
    const home = opts.home ?? homedir();
    this.roots = {
      claude: opts.claudeProjects ?? join(home, '.claude', 'projects'),
      codex: opts.codexSessions ?? join(home, '.codex', 'sessions'),
    };
    this.index = opts.index ?? new SessionIndex({ now: opts.now });
    this.log = opts.log ?? (() => {});
    this.reader = new FileReader(this.index, this.log);
    this.recentMs = opts.recentMs ?? 48 * 3_600_000;
    this.pollMs = opts.pollMs ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Bytes read from session files so far. */
  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  /** Starts watching; returns at once (the first read goes on in the background). */
  start(): void {
    if (this.closed || this.fsw) return;
    this.fsw = watch([], {
      ignoreInitial: false,
      alwaysStat: true,
      depth: 3,
      ignored: (path, stats) => this.ignored(path, stats),
    });
    this.fsw.on('add', (p) => this.changed(p));
    this.fsw.on('change', (p) => this.changed(p));
    this.fsw.on('unlink', (p) => this.reader.forget(p));
    this.fsw.on('error', (e) => this.log(`attribution: watcher: ${String(e)}`));
    this.scanned = this.addRoots().catch((e) => this.log(`attribution: ${String(e)}`));
  }

  /** Resolves once the start-up read (of the roots that exist) and every read scheduled so far are done. */
  async ready(): Promise<void> {
    await this.scanned;
    await this.reader.idle();
  }

  /**
   * Reads the file of a session the index has not seen, if one exists (once per id). Resolves true
   * when a file was found and read.
   */
  async lookup(session: string): Promise<boolean> {
    if (this.closed || this.looked.has(session) || this.index.session(session)) return false;
    this.looked.add(session);
    if (this.looked.size > MAX_LOOKUPS) this.looked.delete(this.looked.values().next().value!);
    // Codex ids are UUID v7, Claude Code's v4: look where the id's kind lives first.
    const order: AgentKind[] = uuidV7Time(session) === undefined ? ['claude', 'codex'] : ['codex', 'claude'];
    for (const kind of order) {
      const find = kind === 'claude' ? findClaudeTranscript : findCodexRollout;
      const file = await find(this.roots[kind], session);
      if (this.closed) return false;
      if (!file) continue;
      await this.reader.schedule(file, kind);
      return true;
    }
    return false;
  }

  /** Stops watching and reading. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    for (const t of this.trailing.values()) clearTimeout(t);
    this.trailing.clear();
    this.reader.close();
    this.wake?.();
    await this.fsw?.close();
    this.fsw = null;
  }

  /** Adds the roots that exist and waits for their first scan; polls for the others. */
  private async addRoots(): Promise<void> {
    const roots = Object.values(this.roots);
    const present = await Promise.all(roots.map(isDir));
    const existing = roots.filter((_, i) => present[i]);
    const missing = roots.filter((_, i) => !present[i]);
    if (missing.length > 0) this.pollFor(missing);
    const fsw = this.fsw;
    if (existing.length === 0 || !fsw || this.closed) return;
    // chokidar says `ready` once, after the scan of the first paths added.
    const scanned = new Promise<void>((resolve) => {
      this.wake = resolve;
      fsw.once('ready', () => resolve());
    });
    fsw.add(existing);
    await scanned;
  }

  private pollFor(missing: string[]): void {
    const check = async () => {
      for (const root of [...missing]) {
        if (this.closed || !(await isDir(root))) continue;
        missing.splice(missing.indexOf(root), 1);
        this.fsw?.add(root);
      }
      if (missing.length === 0 && this.poll) clearInterval(this.poll);
    };
    this.poll = setInterval(() => void check(), this.pollMs);
    this.poll.unref();
  }

  /**
   * Reads a file that changed, and again shortly after its last event: chokidar drops a path's change
   * events for 50 ms after one (it keeps no trailing event), and an agent writes lines in bursts.
   */
  private changed(path: string): void {
    const kind = this.kindOf(path);
    void this.reader.schedule(path, kind);
    clearTimeout(this.trailing.get(path));
    const t = setTimeout(() => {
      this.trailing.delete(path);
      void this.reader.schedule(path, kind);
    }, TRAILING_MS);
    t.unref();
    this.trailing.set(path, t);
  }

  private kindOf(path: string): AgentKind {
    return path.startsWith(this.roots.claude + sep) ? 'claude' : 'codex';
  }

  /** Skips what is not a session file, files not written lately, and Codex day dirs before the window. */
  private ignored(path: string, stats?: Stats): boolean {
    if (!stats) return false;
    const since = this.now() - this.recentMs;
    if (stats.isFile()) return !path.endsWith('.jsonl') || stats.mtimeMs < since;
    if (!stats.isDirectory() || this.kindOf(path) !== 'codex') return false;
    const day = relative(this.roots.codex, path).split(sep);
    if (day.length !== 3) return false;
    const t = new Date(Number(day[0]), Number(day[1]) - 1, Number(day[2]) + 2).getTime();
    return Number.isFinite(t) && t < since;
  }
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
