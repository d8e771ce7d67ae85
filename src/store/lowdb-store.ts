/**
 * The shipped UsageStore: lowdb JSON files in the data dir, partitioned by day into segments,
 * rollups by day. `append` only touches memory; a coalesced flush (≤ FLUSH_MS later) writes
 * the open segments and the touched rollup files. Start-up reads a bounded number of files,
 * whatever the history.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import type { Low } from 'lowdb';
import type { Log } from './json-file.js';
import { RollupFiles, type DayRollup } from './rollup-files.js';
import { SEGMENT_MAX, SegmentFiles, type Segment, type SegmentData } from './segments.js';
import { addCell, addRecord, applyLavaCost, cellKey, emptyCell, hourOf } from './rollups.js';
import type { ListOptions, RecordPage, RequestRecord, RollupRow, UsageStore } from './types.js';

export const FLUSH_MS = 200;
const CACHE_SEGMENTS = 16;
const DAY_MS = 86_400_000;

export interface StoreOptions {
  dataDir: string;
  retentionDays: number;
  log: Log;
  /** For readers beside a running gateway (`lava-desktop usage`): never writes. */
  readOnly?: boolean;
}

export class LowdbStore implements UsageStore {
  private readonly segs: SegmentFiles;
  private readonly rollupFiles: RollupFiles;
  private readonly open = new Map<string, Segment>();
  private readonly dayRollups = new Map<string, Low<DayRollup>>();
  private readonly dirtySegs = new Set<Segment>();
  private readonly dirtyRollups = new Set<string>();
  private readonly cache = new Map<string, Promise<SegmentData>>();
  /** Closed segments being edited (sync updates); written by the next flush. */
  private readonly editing = new Map<string, Segment>();
  private nextSeq = 1;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | undefined;
  /** Records of days whose rollup file is still loading; counted once it is loaded. */
  private readonly pending = new Map<string, RequestRecord[]>();
  private readonly loading = new Set<Promise<unknown>>();

  private constructor(private readonly opts: StoreOptions) {
    this.segs = new SegmentFiles(opts.dataDir, opts.log);
    this.rollupFiles = new RollupFiles(opts.dataDir, opts.log);
  }

  static async open(opts: StoreOptions): Promise<LowdbStore> {
    const store = new LowdbStore(opts);
    store.nextSeq = (await store.segs.maxSeq()) + 1;
    await store.reconcile();
    if (opts.readOnly) return store;
    await store.applyRetention();
    store.retentionTimer = setInterval(() => void store.applyRetention(), 6 * 3600_000);
    store.retentionTimer.unref();
    return store;
  }

  append(record: RequestRecord): void {
    if (this.opts.readOnly) throw new Error('store opened read-only');
    const day = record.startedAt.slice(0, 10);
    this.addToRollup(day, record);
    let seg = this.open.get(day);
    if (!seg || seg.db.data.records.length >= SEGMENT_MAX) seg = this.rotate(day);
    seg.db.data.records.push(record);
    this.dirtySegs.add(seg);
    this.schedule();
  }

  /** Opens a new segment synchronously in memory; its file is created by the next flush. */
  private rotate(day: string): Segment {
    const seq = this.nextSeq++;
    const seg = this.segs.openNew(day, seq);
    this.open.set(day, seg);
    return seg;
  }

  private addToRollup(day: string, record: RequestRecord): void {
    const db = this.dayRollups.get(day);
    if (!db) {
      // Rollup file not loaded yet (first record of a day): load it, then add.
      const queue = this.pending.get(day) ?? [];
      queue.push(record);
      if (queue.length === 1) {
        this.pending.set(day, queue);
        const p = this.loadRollup(day).then(
          () => this.schedule(),
          (e: Error) => this.opts.log(`store: cannot load rollups of ${day}: ${e.message}`),
        );
        this.loading.add(p);
        void p.finally(() => this.loading.delete(p));
      }
      return;
    }
    const cells = (db.data.cells[hourOf(record.startedAt)] ??= {});
    addRecord((cells[cellKey(record)] ??= emptyCell()), record);
    this.dirtyRollups.add(day);
  }

  private loadRollup(day: string): Promise<Low<DayRollup>> {
    const loaded = this.dayRollups.get(day);
    if (loaded) return Promise.resolve(loaded);
    return this.rollupFiles.open(day).then(async (db) => {
      if (!this.dayRollups.has(day)) {
        this.dayRollups.set(day, db);
        await this.replay(day, db);
        const queued = this.pending.get(day) ?? [];
        this.pending.delete(day);
        for (const r of queued) this.addToRollup(day, r);
      }
      return this.dayRollups.get(day)!;
    });
  }

  /** Counts records on disk that the day's rollup watermark says it has not counted yet. */
  private async replay(day: string, db: Low<DayRollup>): Promise<void> {
    let replayed = 0;
    let maxSeen = db.data.watermark.maxSeq;
    for (const seq of await this.segs.seqsOf(day)) {
      maxSeen = Math.max(maxSeen, seq);
      const from = RollupFiles.replayFrom(db.data.watermark, seq);
      if (from === undefined) continue;
      const data = await this.readSegment(day, seq);
      for (const r of data.records.slice(from)) {
        const cells = (db.data.cells[hourOf(r.startedAt)] ??= {});
        addRecord((cells[cellKey(r)] ??= emptyCell()), r);
        replayed++;
      }
      this.cache.delete(`${day}/${seq}`);
    }
    // Everything on disk is counted now; new records go to segments numbered above maxSeen.
    db.data.watermark = { maxSeq: maxSeen, open: {} };
    if (replayed > 0) this.opts.log(`store: rollups of ${day} reconciled (${replayed} records replayed)`);
    if (replayed > 0 || !this.rollupFiles.exists(day)) this.dirtyRollups.add(day);
  }

  /** At start-up: the days the newest records can belong to are checked against the segments. */
  private async reconcile(): Promise<void> {
    const days = (await this.segs.days()).slice(-2);
    for (const day of days) await this.loadRollup(day);
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch((e: Error) => this.opts.log(`store: write failed: ${e.message}`));
    }, FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.opts.readOnly) return Promise.resolve();
    this.flushing = this.flushing.then(() => this.writeDirty());
    return this.flushing;
  }

  private async writeDirty(): Promise<void> {
    // A day's rollups must be loaded (and replayed from disk) before its new records reach disk.
    while (this.loading.size) await Promise.all(this.loading);
    // Snapshot segments and rollups at one instant, so the rollup files count exactly the records
    // the segment files hold, even though appends continue while the files are written.
    const segs = [...this.dirtySegs].map((seg) => ({
      seg,
      data: { v: 1 as const, records: seg.db.data.records.slice() },
    }));
    this.dirtySegs.clear();
    this.editing.clear();
    const rollups = [...this.dirtyRollups].flatMap((day) => {
      const db = this.dayRollups.get(day);
      if (!db) return [];
      db.data.watermark = this.watermarkFor(day, db.data.watermark.maxSeq);
      return [{ db, data: structuredClone(db.data) }];
    });
    this.dirtyRollups.clear();
    for (const [day, seg] of this.open) if (seg.db.data.records.length >= SEGMENT_MAX) this.open.delete(day);
    // Segments first: a crash between the two writes leaves rollups behind, never ahead.
    for (const { seg, data } of segs) await this.segs.write(seg, data);
    for (const { db, data } of rollups) await db.adapter.write(data);
  }

  private watermarkFor(day: string, prevMax: number): DayRollup['watermark'] {
    const open: Record<string, number> = {};
    let maxSeq = prevMax;
    for (const seg of this.open.values()) {
      if (seg.day !== day) continue;
      open[String(seg.seq)] = seg.db.data.records.length;
      maxSeq = Math.max(maxSeq, seg.seq);
    }
    return { maxSeq, open };
  }

  async list({ cursor, limit, filter, maxScan = Infinity }: ListOptions): Promise<RecordPage> {
    const start = cursor ? decodeCursor(cursor) : undefined;
    const out: RequestRecord[] = [];
    let scanned = 0;
    const days = new Set(await this.segs.days());
    for (const day of this.open.keys()) days.add(day);
    for (const day of [...days].sort().reverse()) {
      if (start && day > start.day) continue;
      const seqs = new Set(await this.segs.seqsOf(day));
      for (const seg of this.open.values()) if (seg.day === day) seqs.add(seg.seq);
      for (const seq of [...seqs].sort((a, b) => b - a)) {
        if (start && day === start.day && seq > start.seq) continue;
        const records = (await this.records(day, seq)).records;
        let i = start && day === start.day && seq === start.seq ? start.index : records.length - 1;
        for (; i >= 0; i--) {
          if (out.length === limit || scanned === maxScan)
            return { data: out, nextCursor: encodeCursor({ day, seq, index: i }) };
          scanned++;
          if (!filter || filter(records[i]!)) out.push(records[i]!);
        }
      }
    }
    return { data: out };
  }

  async get(id: string): Promise<RequestRecord | undefined> {
    let t: number;
    try {
      t = decodeTime(id);
    } catch {
      return undefined;
    }
    for (const seg of this.open.values()) {
      const hit = seg.db.data.records.find((r) => r.id === id);
      if (hit) return hit;
    }
    // A record lives in the folder of the day it started (UTC).
    const day = new Date(t).toISOString().slice(0, 10);
    for (const seq of await this.segs.seqsOf(day)) {
      const hit = (await this.records(day, seq)).records.find((r) => r.id === id);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Every record of a UTC day, in completion order (for matching synced records). */
  async recordsOfDay(day: string): Promise<RequestRecord[]> {
    const seqs = new Set(await this.segs.seqsOf(day));
    for (const seg of this.open.values()) if (seg.day === day) seqs.add(seg.seq);
    const out: RequestRecord[] = [];
    for (const seq of [...seqs].sort((a, b) => a - b)) out.push(...(await this.records(day, seq)).records);
    return out;
  }

  /**
   * Changes fields of a stored record (sync: Lava's cost, sync state). The record's segment is
   * rewritten by the next flush; Lava's cost replacing the estimate is carried into the day's
   * rollup (cost and drift). A crash between the segment and rollup writes of such an update can
   * leave that rollup cell on the estimate; records stay right.
   */
  async update(id: string, patch: Partial<RequestRecord>): Promise<RequestRecord | undefined> {
    const found = await this.locate(id);
    if (!found) return undefined;
    const { seg, record } = found;
    const before = { cost: record.cost, costSource: record.costSource };
    Object.assign(record, patch);
    this.dirtySegs.add(seg);
    if (record.costSource === 'lava' && before.costSource !== 'lava' && record.cost !== undefined) {
      const rollup = await this.loadRollup(seg.day);
      const cell = (rollup.data.cells[hourOf(record.startedAt)] ??= {})[cellKey(record)];
      if (cell) {
        applyLavaCost(cell, before.cost, record.cost, record.localCost);
        this.dirtyRollups.add(seg.day);
      }
    }
    this.schedule();
    return record;
  }

  /** The segment holding a record, made writable (open segments are; closed ones are loaded for editing). */
  private async locate(id: string): Promise<{ seg: Segment; record: RequestRecord } | undefined> {
    for (const seg of [...this.open.values(), ...this.editing.values()]) {
      const record = seg.db.data.records.find((r) => r.id === id);
      if (record) return { seg, record };
    }
    let day: string;
    try {
      day = new Date(decodeTime(id)).toISOString().slice(0, 10);
    } catch {
      return undefined;
    }
    for (const seq of await this.segs.seqsOf(day)) {
      const data = await this.readSegment(day, seq);
      const record = data.records.find((r) => r.id === id);
      if (!record) continue;
      const key = `${day}/${seq}`;
      let seg = this.editing.get(key);
      if (!seg) {
        seg = this.segs.openNew(day, seq);
        seg.db.data = data; // the cached copy: readers see the edit at once
        this.editing.set(key, seg);
      }
      return { seg, record };
    }
    return undefined;
  }

  async rollups(from: Date, to: Date): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    const fromHour = hourOf(from.toISOString());
    const toHour = hourOf(to.toISOString());
    for (let t = Date.parse(from.toISOString().slice(0, 10)); t < to.getTime(); t += DAY_MS) {
      const day = new Date(t).toISOString().slice(0, 10);
      if (!this.dayRollups.has(day) && !this.rollupFiles.exists(day)) continue;
      const db = await this.loadRollup(day);
      for (const [hour, cells] of Object.entries(db.data.cells)) {
        if (hour < fromHour || hour >= toHour) continue;
        for (const [key, cell] of Object.entries(cells)) {
          const [provider = '', model = ''] = key.split('\t');
          const row: RollupRow = { hour, provider, model, ...emptyCell() };
          addCell(row, cell);
          rows.push(row);
        }
      }
    }
    return rows;
  }

  private records(day: string, seq: number): Promise<SegmentData> | SegmentData {
    for (const seg of this.open.values()) if (seg.seq === seq) return seg.db.data;
    return this.readSegment(day, seq);
  }

  private readSegment(day: string, seq: number): Promise<SegmentData> {
    const key = `${day}/${seq}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.segs.read(day, seq);
      this.cache.set(key, hit);
      if (this.cache.size > CACHE_SEGMENTS) this.cache.delete(this.cache.keys().next().value!);
    }
    return hit;
  }

  private async applyRetention(): Promise<void> {
    const cutoff = new Date(Date.now() - this.opts.retentionDays * DAY_MS).toISOString().slice(0, 10);
    for (const day of await this.segs.days()) {
      if (day >= cutoff) break;
      await rm(join(this.segs.root, day), { recursive: true, force: true });
      this.opts.log(`store: removed records of ${day} (retention ${this.opts.retentionDays} days; rollups kept)`);
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.retentionTimer);
    while (this.loading.size) await Promise.all(this.loading);
    await this.flush();
  }
}

interface Cursor {
  day: string;
  seq: number;
  index: number;
}

const encodeCursor = (c: Cursor): string => Buffer.from(`${c.day}:${c.seq}:${c.index}`).toString('base64url');

function decodeCursor(s: string): Cursor {
  const [day = '', seq = '', index = ''] = Buffer.from(s, 'base64url').toString().split(':');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d+$/.test(seq) || !/^\d+$/.test(index)) {
    throw new RangeError('invalid cursor');
  }
  return { day, seq: Number(seq), index: Number(index) };
}
