/**
 * The rollups of the days in use, in memory: loaded on demand (and reconciled with the segments
 * on disk past the file's watermark), moved by every record, snapshotted for writing, read as
 * rows. A record of a day whose file is still loading waits in a queue and is counted once loaded;
 * a load that fails is tried again by the next flush, and until then that day's records wait too
 * (never counted twice).
 */
import type { Low } from 'lowdb';
import type { Log } from './json-file.js';
import { RollupFiles, type DayRollup, type Watermark } from './rollup-files.js';
import type { SegmentData } from './segments.js';
import {
  addCell,
  addRecord,
  applyLavaCost,
  cellKey,
  emptyCell,
  hourOf,
  keyParts,
  legacyKey,
  recordShare,
  subtractCell,
} from './rollups.js';
import type { RequestRecord, RollupCell, RollupRow } from './types.js';

/** The cell a record was counted in (files from before the who-and-where dimensions key by provider and model). */
function cellOf(rollup: Low<DayRollup>, r: RequestRecord) {
  const cells = (rollup.data.cells[hourOf(r.startedAt)] ??= {});
  for (const key of [cellKey(r), legacyKey(r)]) {
    const cell: RollupCell | undefined = cells[key];
    if (cell) return { cells, key, cell };
  }
  return undefined;
}

/** Where replay finds the segments of a day on disk. */
export interface SegmentSource {
  seqsOf(day: string): Promise<number[]>;
  read(day: string, seq: number): Promise<SegmentData>;
  /** The segment was read only to replay it: drop it from the read cache. */
  forget(day: string, seq: number): void;
}

export interface RollupSnapshot {
  day: string;
  gen: number;
  db: Low<DayRollup>;
  data: DayRollup;
}

export class DayRollups {
  private readonly files: RollupFiles;
  private readonly loaded = new Map<string, Low<DayRollup>>();
  /** Days changed in memory, with the generation of their latest change. */
  private readonly dirty = new Map<string, number>();
  private gen = 0;
  /** Records of days whose rollup file is not loaded yet; counted once it is. */
  private readonly pending = new Map<string, RequestRecord[]>();
  private readonly loading = new Set<Promise<unknown>>();

  constructor(
    dataDir: string,
    private readonly segments: SegmentSource,
    private readonly log: Log,
    /** Told when a day finished loading (the store schedules a write). */
    private readonly onLoaded: () => void,
    private readonly readOnly = false,
  ) {
    this.files = new RollupFiles(dataDir, log);
  }

  add(day: string, record: RequestRecord): void {
    const db = this.loaded.get(day);
    if (!db) {
      const queue = this.pending.get(day) ?? [];
      queue.push(record);
      if (queue.length === 1) {
        this.pending.set(day, queue);
        this.track(
          this.load(day).then(
            () => this.onLoaded(),
            (e: Error) => this.log(`store: cannot load rollups of ${day}: ${e.message}`),
          ),
        );
      }
      return;
    }
    const cells = (db.data.cells[hourOf(record.startedAt)] ??= {});
    addRecord((cells[cellKey(record)] ??= emptyCell()), record);
    this.dirty.set(day, ++this.gen);
  }

  private track(p: Promise<unknown>): void {
    this.loading.add(p);
    void p.finally(() => this.loading.delete(p));
  }

  /** Waits for loads under way, then loads again the days whose records still wait (throws if one fails). */
  async settle(): Promise<void> {
    while (this.loading.size) await Promise.all(this.loading);
    for (const day of [...this.pending.keys()]) if (!this.loaded.has(day)) await this.load(day);
  }

  load(day: string): Promise<Low<DayRollup>> {
    const loaded = this.loaded.get(day);
    if (loaded) return Promise.resolve(loaded);
    return this.files.open(day).then(async (db) => {
      if (!this.loaded.has(day)) {
        this.loaded.set(day, db);
        await this.replay(day, db);
        const queued = this.pending.get(day) ?? [];
        this.pending.delete(day);
        for (const r of queued) this.add(day, r);
      }
      return this.loaded.get(day)!;
    });
  }

  /** Counts records on disk that the day's rollup watermark says it has not counted yet. */
  private async replay(day: string, db: Low<DayRollup>): Promise<void> {
    let replayed = 0;
    let maxSeen = db.data.watermark.maxSeq;
    for (const seq of await this.segments.seqsOf(day)) {
      maxSeen = Math.max(maxSeen, seq);
      const from = RollupFiles.replayFrom(db.data.watermark, seq);
      if (from === undefined) continue;
      const data = await this.segments.read(day, seq);
      for (const r of data.records.slice(from)) {
        const cells = (db.data.cells[hourOf(r.startedAt)] ??= {});
        addRecord((cells[cellKey(r)] ??= emptyCell()), r);
        replayed++;
      }
      this.segments.forget(day, seq);
    }
    // Everything on disk is counted now; new records go to segments numbered above maxSeen.
    db.data.watermark = { maxSeq: maxSeen, open: {} };
    if (replayed > 0) this.log(`store: rollups of ${day} reconciled (${replayed} records replayed)`);
    if (this.readOnly) return;
    if (replayed > 0 || !this.files.exists(day)) this.dirty.set(day, ++this.gen);
  }

  /** Lava's cost replaced a record's estimate: move the cell's cost and count the drift. */
  applyLavaCost(rollup: Low<DayRollup>, day: string, record: RequestRecord, before: RequestRecord): void {
    const cell = cellOf(rollup, before)?.cell;
    if (!cell || record.cost === undefined) return;
    applyLavaCost(cell, before.cost, record.cost, record.localCost);
    this.dirty.set(day, ++this.gen);
  }

  /**
   * A record's dimensions changed (attribution landed): its share moves from the cell it was
   * counted in (`before`'s key) to the cell of what it is now, so breakdowns keep summing to the total.
   */
  moveRecord(rollup: Low<DayRollup>, day: string, before: RequestRecord, record: RequestRecord): void {
    const from = cellOf(rollup, before);
    const toKey = cellKey(record);
    if (!from || from.key === toKey) return;
    const share = recordShare(record);
    subtractCell(from.cell, share);
    if (from.cell.requests <= 0) delete from.cells[from.key];
    addCell((from.cells[toKey] ??= emptyCell()), share);
    this.dirty.set(day, ++this.gen);
  }

  /** The changed days as they are now, each with the watermark of the segments it counts. */
  snapshot(watermarkFor: (day: string, prevMax: number) => Watermark): RollupSnapshot[] {
    return [...this.dirty].flatMap(([day, gen]) => {
      const db = this.loaded.get(day);
      if (!db) return [];
      db.data.watermark = watermarkFor(day, db.data.watermark.maxSeq);
      return [{ day, gen, db, data: structuredClone(db.data) }];
    });
  }

  written(snap: RollupSnapshot): void {
    if (this.dirty.get(snap.day) === snap.gen) this.dirty.delete(snap.day);
  }

  /** Rows whose hour lies in [from, to); only days that have rollups are read (O(days with data)). */
  async rows(from: Date, to: Date): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    const fromHour = hourOf(from.toISOString());
    const toHour = hourOf(to.toISOString());
    const fromDay = from.toISOString().slice(0, 10);
    const days = new Set(await this.files.days());
    for (const day of this.loaded.keys()) days.add(day);
    for (const day of [...days].sort()) {
      if (day < fromDay || `${day}T00` >= toHour) continue;
      const db = await this.load(day);
      for (const [hour, cells] of Object.entries(db.data.cells)) {
        if (hour < fromHour || hour >= toHour) continue;
        for (const [key, cell] of Object.entries(cells)) {
          const row: RollupRow = { hour, ...keyParts(key), ...emptyCell() };
          addCell(row, cell);
          rows.push(row);
        }
      }
    }
    return rows;
  }
}
