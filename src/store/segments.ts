/**
 * Request records on disk: `requests/<YYYY-MM-DD>/<seq>.json`, each a segment of at most
 * SEGMENT_MAX records. `seq` is global and increasing, so a flush rewrites only the open
 * segment(s): the cost of recording does not grow with history.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { openJsonFile, type Log } from './json-file.js';
import type { RequestRecord } from './types.js';

export const SEGMENT_MAX = 250;

export interface SegmentData {
  v: 1;
  records: RequestRecord[];
}

export interface Segment {
  day: string;
  seq: number;
  db: Low<SegmentData>;
}

const isSegmentData = (v: unknown): v is SegmentData =>
  v !== null && typeof v === 'object' && Array.isArray((v as SegmentData).records);

export const segName = (seq: number): string => `${String(seq).padStart(9, '0')}.json`;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const SEG_RE = /^(\d{9})\.json$/;

export class SegmentFiles {
  readonly root: string;

  constructor(
    dataDir: string,
    private readonly log: Log,
  ) {
    this.root = join(dataDir, 'requests');
  }

  async days(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => DAY_RE.test(n)).sort();
  }

  async seqsOf(day: string): Promise<number[]> {
    const names = await readdir(join(this.root, day)).catch(() => [] as string[]);
    return names
      .map((n) => SEG_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** A new, empty segment in memory; its file appears with the first write. */
  openNew(day: string, seq: number): Segment {
    const db = new Low<SegmentData>(
      new DataFile<SegmentData>(join(this.root, day, segName(seq)), { parse: JSON.parse, stringify: JSON.stringify }),
      { v: 1, records: [] },
    );
    return { day, seq, db };
  }

  async write(seg: Segment, data: SegmentData): Promise<void> {
    await mkdir(join(this.root, seg.day), { recursive: true });
    await seg.db.adapter.write(data);
  }

  async read(day: string, seq: number): Promise<SegmentData> {
    const db = await openJsonFile<SegmentData>(
      join(this.root, day, segName(seq)),
      () => ({ v: 1, records: [] }),
      isSegmentData,
      this.log,
    );
    return db.data;
  }

  /** The highest seq on disk, looking only at the newest day folders. */
  async maxSeq(): Promise<number> {
    const days = await this.days();
    let max = 0;
    for (const day of days.slice(-3)) for (const s of await this.seqsOf(day)) max = Math.max(max, s);
    return max;
  }
}
