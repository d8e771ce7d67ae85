/**
 * Rollups on disk, one small file per day: `rollups/<YYYY-MM-DD>.json` holds cells per hour ×
 * provider × model and a watermark saying which of that day's records it already counts, so
 * that after a crash between a segment write and a rollup write, start-up replays only the newer
 * records. A flush rewrites only today's file, whatever the history.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Low } from 'lowdb';
import { openJsonFile, type Log } from './json-file.js';
import { listDir } from './segments.js';
import type { RollupCell } from './types.js';

export interface Watermark {
  /** Highest segment seq of this day counted so far. */
  maxSeq: number;
  /** Records counted in the segments that were still open at the last write. */
  open: Record<string, number>;
}

export interface DayRollup {
  v: 1;
  day: string;
  watermark: Watermark;
  cells: Record<string, Record<string, RollupCell>>;
}

const isDayRollup = (v: unknown): v is DayRollup =>
  v !== null && typeof v === 'object' && (v as DayRollup).v === 1 && typeof (v as DayRollup).cells === 'object';

export const dayOf = (iso: string): string => iso.slice(0, 10);

export class RollupFiles {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly log: Log,
  ) {
    this.root = join(dataDir, 'rollups');
  }

  /** Days that have a rollup file, sorted. */
  async days(): Promise<string[]> {
    return (await listDir(this.root))
      .map((n) => /^(\d{4}-\d{2}-\d{2})\.json$/.exec(n)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
  }

  exists(day: string): boolean {
    return existsSync(join(this.root, `${day}.json`));
  }

  async open(day: string): Promise<Low<DayRollup>> {
    await mkdir(this.root, { recursive: true });
    return openJsonFile<DayRollup>(
      join(this.root, `${day}.json`),
      () => ({ v: 1, day, watermark: { maxSeq: 0, open: {} }, cells: {} }),
      isDayRollup,
      this.log,
    );
  }

  /** Records of segment `seq` at index ≥ the returned number are not yet counted. */
  static replayFrom(w: Watermark, seq: number): number | undefined {
    if (seq > w.maxSeq) return 0;
    const open = w.open[String(seq)];
    return open === undefined ? undefined : open;
  }
}
