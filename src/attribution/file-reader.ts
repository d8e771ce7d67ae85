/**
 * Reads session files incrementally: each file from where the last read ended to its current end
 * (fs.open + positioned reads, never the whole file again). A file never read before is read from its
 * tail (Claude Code: every line repeats the session's cwd and branch, and only new responses matter)
 * or from its head (Codex: only the first line matters, and reading stops there). A file that shrank
 * is read afresh. Reads run one at a time, so a burst of changes costs no more than one pass.
 */
import { open } from 'node:fs/promises';
import type { SessionIndex } from './session-index.js';
import type { AgentKind } from './transcript-lines.js';

const CHUNK = 64 * 1024;
/** How much of an unread Claude transcript's end is read: several lines, a huge tool result or two. */
export const TAIL_BYTES = 256 * 1024;

export class FileReader {
  /** Bytes read from disk so far (a test and a stats figure: proof that nothing is read twice). */
  bytesRead = 0;
  private readonly offsets = new Map<string, number>();
  private readonly queue = new Map<string, AgentKind>();
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly index: SessionIndex,
    private readonly log: (msg: string) => void = () => {},
    private readonly maxFiles = 50_000,
  ) {}

  /** Read `file` up to its end soon (coalesced with other requests for the same file). */
  schedule(file: string, kind: AgentKind): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.queue.set(file, kind);
    this.draining ??= this.drain();
    return this.draining;
  }

  /** The file went away: forget where we were. */
  forget(file: string): void {
    this.offsets.delete(file);
    this.index.reset(file);
  }

  /** Resolves when every scheduled read has finished. */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.queue.clear();
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // never finish before `draining` is assigned
    try {
      for (let next = first(this.queue); next && !this.closed; next = first(this.queue)) {
        this.queue.delete(next[0]);
        await this.readOne(next[0], next[1]);
      }
    } finally {
      // Synchronous with the loop's last check: a file scheduled from here on starts a new drain.
      this.draining = null;
    }
  }

  private async readOne(file: string, kind: AgentKind): Promise<void> {
    try {
      await this.read(file, kind);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log(`attribution: cannot read ${file}: ${String(e)}`);
      this.forget(file);
    }
  }

  private async read(file: string, kind: AgentKind): Promise<void> {
    if (this.index.isDone(file)) return;
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      let pos = this.start(file, kind, size);
      const buf = Buffer.allocUnsafe(CHUNK);
      while (pos < size && !this.closed && !this.index.isDone(file)) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos);
        if (bytesRead === 0) break;
        this.bytesRead += bytesRead;
        pos += bytesRead;
        this.index.feed(file, kind, buf.subarray(0, bytesRead));
      }
      this.offsets.set(file, pos);
      capOffsets(this.offsets, this.maxFiles);
    } finally {
      await fh.close();
    }
  }

  /** Where this read begins: the last offset, or (first read, or the file shrank) the head or tail. */
  private start(file: string, kind: AgentKind, size: number): number {
    const last = this.offsets.get(file);
    if (last !== undefined && last <= size) return last;
    this.index.reset(file);
    if (kind === 'codex' || size <= TAIL_BYTES) return 0;
    this.index.startMidLine(file, kind);
    return size - TAIL_BYTES;
  }
}

function first<K, V>(m: Map<K, V>): [K, V] | undefined {
  const r = m.entries().next();
  return r.done ? undefined : r.value;
}

function capOffsets(m: Map<string, number>, max: number): void {
  for (const k of m.keys()) {
    if (m.size <= max) return;
    m.delete(k);
  }
}
