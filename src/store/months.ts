/**
 * Rollups on disk, one file per month: `rollups/<YYYY-MM>.json` holds cells per hour × provider
 * × model and a watermark saying which records of that month it already counts, so that after a
 * crash between a segment write and a rollup write, start-up replays only the newer records.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Low } from 'lowdb';
import { openJsonFile, type Log } from './json-file.js';
import type { RollupCell } from './types.js';

export interface Watermark {
  /** Highest segment seq of this month counted so far. */
  maxSeq: number;
  /** Records counted in the segments that were still open at the last write. */
  open: Record<string, number>;
}

export interface MonthData {
  v: 1;
  month: string;
  watermark: Watermark;
  cells: Record<string, Record<string, RollupCell>>;
}

const isMonthData = (v: unknown): v is MonthData =>
  v !== null && typeof v === 'object' && (v as MonthData).v === 1 && typeof (v as MonthData).cells === 'object';

export const monthOf = (dayOrIso: string): string => dayOrIso.slice(0, 7);

export class MonthFiles {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly log: Log,
  ) {
    this.root = join(dataDir, 'rollups');
  }

  exists(month: string): boolean {
    return existsSync(join(this.root, `${month}.json`));
  }

  async open(month: string): Promise<Low<MonthData>> {
    await mkdir(this.root, { recursive: true });
    return openJsonFile<MonthData>(
      join(this.root, `${month}.json`),
      () => ({ v: 1, month, watermark: { maxSeq: 0, open: {} }, cells: {} }),
      isMonthData,
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
