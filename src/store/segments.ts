/**
 * Request records on disk: `requests/<YYYY-MM-DD>/<seq>.json`, each a segment of at most
 * SEGMENT_MAX records. `seq` is global and increasing, so a flush rewrites only the open
 * segment(s): the cost of recording does not grow with history.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Low } from 'lowdb';
import { isNotFound, newJsonDb, openJsonFile, type Log } from './json-file.js';
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
  /** Bumped by every change in memory; `writtenGen` is the generation last written to disk. */
  gen: number;
  writtenGen: number;
  /** How many of its records are on disk. */
  written: number;
  /** A new segment whose file has not been written yet (its number is checked against the day's files first). */
  fresh: boolean;
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
    const names = await listDir(this.root);
    return names.filter((n) => DAY_RE.test(n)).sort();
  }

  async seqsOf(day: string): Promise<number[]> {
    const names = await listDir(join(this.root, day));
    return names
      .map((n) => SEG_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** A new, empty segment in memory; its file appears with the first write. */
  openNew(day: string, seq: number): Segment {
    const db = newJsonDb<SegmentData>(join(this.root, day, segName(seq)), { v: 1, records: [] });
    return { day, seq, db, gen: 0, writtenGen: 0, written: 0, fresh: true };
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

/** A folder's names; a folder that does not exist is empty, any other error (permissions, I/O) is thrown. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}
