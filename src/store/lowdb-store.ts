/**
 * The shipped UsageStore: lowdb JSON files in the data dir, partitioned by day into segments,
 * rollups by day. `append` only touches memory; a coalesced flush (≤ FLUSH_MS later) writes
 * the changed segments and rollup files. Start-up reads a bounded number of files, whatever the
 * history.
 *
 * A failed write never stops recording: every segment and rollup carries a generation, and only
 * what a write really put on disk is marked clean, so a failed flush leaves everything dirty and
 * the next attempt (with backoff, see health.ts) writes it. Until then records stay in memory
 * (bounded) and readers see them. Rollups are written only after every dirty segment was, so they
 * never count records that are not on disk. At close, what still cannot be written goes to a
 * rescue file (rescue.ts), which the next start stores.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeTime } from 'ulid';
import type { Low } from 'lowdb';
import type { Log } from './json-file.js';
import { RollupFiles, type DayRollup } from './rollup-files.js';
import { SEGMENT_MAX, SegmentFiles, type Segment, type SegmentData } from './segments.js';
import { addCell, addRecord, applyLavaCost, cellKey, emptyCell, hourOf } from './rollups.js';
import { HealthState, type StoreHealth } from './health.js';
import { findRescues, removeRescue, saveRescue } from './rescue.js';
import type { CloseResult, ListOptions, RecordPage, RequestRecord, RollupRow, UsageStore } from './types.js';

export const FLUSH_MS = 200;
/** Records kept in memory while the disk refuses them; past this, new ones are dropped and counted. */
export const MAX_UNWRITTEN = 100_000;
const CACHE_SEGMENTS = 16;
const DAY_MS = 86_400_000;

export interface StoreOptions {
  dataDir: string;
  retentionDays: number;
  log: Log;
  /** For readers beside a running gateway (`lava-desktop usage`): never writes. */
  readOnly?: boolean;
  /** Told when the store becomes degraded or healthy again. */
  onHealth?: (h: StoreHealth) => void;
  /** Records kept in memory while writes fail (default MAX_UNWRITTEN). */
  maxUnwritten?: number;
}

const keyOf = (day: string, seq: number) => `${day}/${seq}`;
const dayOfId = (id: string): string | undefined => {
  try {
    return new Date(decodeTime(id)).toISOString().slice(0, 10);
  } catch {
    return undefined;
  }
};

export class LowdbStore implements UsageStore {
  private readonly segs: SegmentFiles;
  private readonly rollupFiles: RollupFiles;
  /** The segment each day's new records go to. */
  private readonly open = new Map<string, Segment>();
  /** Segments whose copy in memory is the truth: open ones, unwritten ones, ones being edited. */
  private readonly mem = new Map<string, Segment>();
  private readonly dirty = new Set<Segment>();
  private readonly dayRollups = new Map<string, Low<DayRollup>>();
  /** Rollup days changed in memory, with the generation of their latest change. */
  private readonly dirtyRollups = new Map<string, number>();
  private rollupGen = 0;
  private readonly cache = new Map<string, Promise<SegmentData>>();
  private nextSeq = 1;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Records of days whose rollup file is still loading; counted once it is loaded. */
  private readonly pending = new Map<string, RequestRecord[]>();
  private readonly loading = new Set<Promise<unknown>>();
  private readonly healthState: HealthState;

  private constructor(private readonly opts: StoreOptions) {
    this.segs = new SegmentFiles(opts.dataDir, opts.log);
    this.rollupFiles = new RollupFiles(opts.dataDir, opts.log);
    this.healthState = new HealthState(opts.onHealth);
  }

  static async open(opts: StoreOptions): Promise<LowdbStore> {
    const store = new LowdbStore(opts);
    store.nextSeq = (await store.segs.maxSeq()) + 1;
    if (opts.readOnly) {
      for (const day of (await store.segs.days()).slice(-2)) await store.loadRollup(day);
      return store;
    }
    await store.reconcile();
    await store.importRescued();
    await store.applyRetention();
    store.retentionTimer = setInterval(() => void store.applyRetention().catch(() => undefined), 6 * 3600_000);
    store.retentionTimer.unref();
    return store;
  }

  health(): StoreHealth {
    return this.healthState.view(this.unwritten());
  }

  private unwritten(): number {
    let n = 0;
    for (const seg of this.mem.values()) n += seg.db.data.records.length - seg.written;
    return n;
  }

  append(record: RequestRecord): void {
    if (this.opts.readOnly) throw new Error('store opened read-only');
    const max = this.opts.maxUnwritten ?? MAX_UNWRITTEN;
    if (this.healthState.degraded && this.unwritten() >= max) {
      this.healthState.dropped(this.unwritten());
      if (this.healthState.lost === 1)
        this.opts.log(`store: ${max} records are waiting for the disk; further records are dropped`);
      return;
    }
    const day = record.startedAt.slice(0, 10);
    this.addToRollup(day, record);
    let seg = this.open.get(day);
    if (!seg || seg.db.data.records.length >= SEGMENT_MAX) seg = this.rotate(day);
    seg.db.data.records.push(record);
    this.touch(seg);
  }

  private touch(seg: Segment): void {
    seg.gen++;
    this.dirty.add(seg);
    this.schedule();
  }

  /** Opens a new segment synchronously in memory; its file is created by the next flush. */
  private rotate(day: string): Segment {
    const seq = this.nextSeq++;
    const seg = this.segs.openNew(day, seq);
    this.open.set(day, seg);
    this.mem.set(keyOf(day, seq), seg);
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
    this.dirtyRollups.set(day, ++this.rollupGen);
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
      this.cache.delete(keyOf(day, seq));
    }
    // Everything on disk is counted now; new records go to segments numbered above maxSeen.
    db.data.watermark = { maxSeq: maxSeen, open: {} };
    if (replayed > 0) this.opts.log(`store: rollups of ${day} reconciled (${replayed} records replayed)`);
    if (this.opts.readOnly) return;
    if (replayed > 0 || !this.rollupFiles.exists(day)) this.dirtyRollups.set(day, ++this.rollupGen);
  }

  /** At start-up: the days the newest records can belong to are checked against the segments. */
  private async reconcile(): Promise<void> {
    const days = (await this.segs.days()).slice(-2);
    for (const day of days) await this.loadRollup(day);
    // A rollup write that fails now does not stop the start: the store begins degraded and retries.
    await this.flush().catch(() => undefined);
  }

  /**
   * Records a previous run could not write and saved aside (rescue.ts) are stored now. A problem
   * with them is logged and never stops the start (the files stay for a later one).
   */
  private async importRescued(): Promise<void> {
    let found: Awaited<ReturnType<typeof findRescues>>;
    try {
      found = await findRescues(this.opts.dataDir, this.opts.log);
    } catch (e) {
      this.opts.log(`store: cannot look for unsaved records: ${(e as Error).message}`);
      return;
    }
    if (found.length === 0) return;
    let n = 0;
    try {
      for (const { records } of found) {
        for (const r of records) {
          // Segments are saved whole: records already on disk come back as (possibly edited) copies.
          if (await this.get(r.id)) await this.update(r.id, r);
          else {
            this.append(r);
            n++;
          }
        }
      }
      while (this.loading.size) await Promise.all(this.loading);
      await this.flush();
    } catch {
      return; // still in memory, and the files stay until a later start has them on disk
    }
    for (const { file } of found) await removeRescue(file).catch(() => undefined);
    this.opts.log(
      `store: stored ${n} records that the last run could not write (from ${found.map((f) => f.file).join(', ')})`,
    );
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.healthState.nextDelay(FLUSH_MS));
    if (this.healthState.degraded) this.timer.unref();
  }

  /** Writes what changed; rejects when this write failed (the next one tries again). */
  flush(): Promise<void> {
    if (this.opts.readOnly) return Promise.resolve();
    const run = this.flushing.then(() => this.writeDirty());
    this.flushing = run.then(
      () => {
        if (this.healthState.recovered(this.unwritten())) this.opts.log('store: writes work again; nothing was lost');
      },
      (e: unknown) => {
        if (this.healthState.failed(e, this.unwritten()))
          this.opts.log(
            `store: cannot write to ${this.opts.dataDir} (${this.health().error}); keeping records in memory and retrying`,
          );
        this.schedule();
      },
    );
    return run;
  }

  /**
   * Segment numbers come from the newest days at start-up, so a new segment of an older day (a
   * record synced from elsewhere, a rescued one) could get a number that day already has on disk:
   * before its first write, a new segment whose number is taken (or not above the day's files) is
   * numbered above everything. One folder listing per new segment.
   */
  private async placeFreshSegments(): Promise<void> {
    for (const seg of this.dirty) {
      if (!seg.fresh) continue;
      const seqs = await this.segs.seqsOf(seg.day);
      const max = seqs.at(-1) ?? 0;
      if (seg.seq > max) continue;
      const seq = Math.max(this.nextSeq, max + 1);
      this.nextSeq = seq + 1;
      this.mem.delete(keyOf(seg.day, seg.seq));
      const renumbered = this.segs.openNew(seg.day, seq);
      renumbered.db.data = seg.db.data;
      seg.seq = seq;
      seg.db = renumbered.db;
      this.mem.set(keyOf(seg.day, seq), seg);
    }
  }

  private async writeDirty(): Promise<void> {
    // A day's rollups must be loaded (and replayed from disk) before its new records reach disk; a
    // load that failed is tried again here, and until it works those records wait (counted once).
    while (this.loading.size) await Promise.all(this.loading);
    for (const day of [...this.pending.keys()]) if (!this.dayRollups.has(day)) await this.loadRollup(day);
    await this.placeFreshSegments();
    // Snapshot segments and rollups at one instant, so the rollup files count exactly the records
    // the segment files hold, even though appends continue while the files are written.
    const segs = [...this.dirty].map((seg) => ({
      seg,
      gen: seg.gen,
      data: { v: 1 as const, records: seg.db.data.records.slice() },
    }));
    const rollups = [...this.dirtyRollups].flatMap(([day, gen]) => {
      const db = this.dayRollups.get(day);
      if (!db) return [];
      db.data.watermark = this.watermarkFor(day, db.data.watermark.maxSeq);
      return [{ day, gen, db, data: structuredClone(db.data) }];
    });
    let failure: unknown;
    for (const { seg, gen, data } of segs) {
      try {
        await this.segs.write(seg, data);
      } catch (e) {
        failure ??= e;
        continue;
      }
      seg.writtenGen = gen;
      seg.written = data.records.length;
      seg.fresh = false;
      this.cache.delete(keyOf(seg.day, seg.seq));
      if (seg.gen === gen) this.dirty.delete(seg);
    }
    // Segments first, and rollups only when every segment is on disk: rollups are behind, never ahead.
    if (failure === undefined) {
      for (const { day, gen, db, data } of rollups) {
        try {
          await db.adapter.write(data);
        } catch (e) {
          failure ??= e;
          continue;
        }
        if (this.dirtyRollups.get(day) === gen) this.dirtyRollups.delete(day);
      }
    }
    this.release();
    if (failure !== undefined) throw failure;
  }

  /** Segments that are on disk and no longer open leave memory (readers go to the files again). */
  private release(): void {
    for (const [day, seg] of this.open) {
      if (seg.db.data.records.length >= SEGMENT_MAX && !this.dirty.has(seg)) this.open.delete(day);
    }
    for (const [key, seg] of this.mem) {
      if (!this.dirty.has(seg) && this.open.get(seg.day) !== seg) this.mem.delete(key);
    }
  }

  private watermarkFor(day: string, prevMax: number): DayRollup['watermark'] {
    const open: Record<string, number> = {};
    let maxSeq = prevMax;
    for (const seg of this.mem.values()) if (seg.day === day) maxSeq = Math.max(maxSeq, seg.seq);
    const seg = this.open.get(day);
    if (seg && seg.db.data.records.length < SEGMENT_MAX) open[String(seg.seq)] = seg.db.data.records.length;
    return { maxSeq, open };
  }

  /** Days with records, on disk or only in memory. */
  async days(): Promise<string[]> {
    const days = new Set(await this.segs.days());
    for (const seg of this.mem.values()) days.add(seg.day);
    return [...days].sort();
  }

  private async seqsOf(day: string): Promise<number[]> {
    const seqs = new Set(await this.segs.seqsOf(day));
    for (const seg of this.mem.values()) if (seg.day === day) seqs.add(seg.seq);
    return [...seqs].sort((a, b) => a - b);
  }

  async list({ cursor, limit, filter, maxScan = Infinity }: ListOptions): Promise<RecordPage> {
    const start = cursor ? decodeCursor(cursor) : undefined;
    const out: RequestRecord[] = [];
    let scanned = 0;
    for (const day of (await this.days()).reverse()) {
      if (start && day > start.day) continue;
      for (const seq of (await this.seqsOf(day)).reverse()) {
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
    const day = dayOfId(id);
    if (!day) return undefined;
    // A record lives in the folder of the day it started (UTC).
    for (const seq of await this.seqsOf(day)) {
      const hit = (await this.records(day, seq)).records.find((r) => r.id === id);
      if (hit) return hit;
    }
    return undefined;
  }

  /** Every record of a UTC day, in completion order (for matching synced records). */
  async recordsOfDay(day: string): Promise<RequestRecord[]> {
    const out: RequestRecord[] = [];
    for (const seq of await this.seqsOf(day)) out.push(...(await this.records(day, seq)).records);
    return out;
  }

  /**
   * Changes fields of a stored record (sync: Lava's cost, sync state). The record's segment is
   * rewritten by the next flush; Lava's cost replacing the estimate is carried into the day's
   * rollup (cost and drift). A crash between the segment and rollup writes of such an update can
   * leave that rollup cell on the estimate; records stay right.
   */
  async update(id: string, patch: Partial<RequestRecord>): Promise<RequestRecord | undefined> {
    const day = dayOfId(id);
    if (!day) return undefined;
    // The rollup first: a load that fails leaves the record untouched, so a retry applies both.
    const rollup = patch.costSource === 'lava' ? await this.loadRollup(day) : undefined;
    const found = await this.locate(id);
    if (!found) return undefined;
    const { seg, record } = found;
    const before = { cost: record.cost, costSource: record.costSource };
    Object.assign(record, patch);
    if (rollup && record.costSource === 'lava' && before.costSource !== 'lava' && record.cost !== undefined) {
      const cell = (rollup.data.cells[hourOf(record.startedAt)] ??= {})[cellKey(record)];
      if (cell) {
        applyLavaCost(cell, before.cost, record.cost, record.localCost);
        this.dirtyRollups.set(seg.day, ++this.rollupGen);
      }
    }
    this.touch(seg);
    return record;
  }

  /** The segment holding a record, made writable (segments in memory are; others are loaded for editing). */
  private async locate(id: string): Promise<{ seg: Segment; record: RequestRecord } | undefined> {
    const day = dayOfId(id);
    if (!day) return undefined;
    for (const seq of await this.seqsOf(day)) {
      const inMem = this.mem.get(keyOf(day, seq));
      const data = inMem ? inMem.db.data : await this.readSegment(day, seq);
      const record = data.records.find((r) => r.id === id);
      if (!record) continue;
      let seg = this.mem.get(keyOf(day, seq));
      if (!seg) {
        seg = this.segs.openNew(day, seq);
        seg.db.data = data; // the cached copy: readers see the edit at once
        seg.written = data.records.length;
        seg.fresh = false;
        this.mem.set(keyOf(day, seq), seg);
        // Pinned at once (dirty), so no flush releases it before the caller's edit lands.
        this.touch(seg);
      }
      return { seg, record };
    }
    return undefined;
  }

  async rollups(from: Date, to: Date): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    const fromHour = hourOf(from.toISOString());
    const toHour = hourOf(to.toISOString());
    const fromDay = from.toISOString().slice(0, 10);
    const days = new Set(await this.rollupFiles.days());
    for (const day of this.dayRollups.keys()) days.add(day);
    // Only days that have rollups are read: any range, however long, costs O(days with data).
    for (const day of [...days].sort()) {
      if (day < fromDay || `${day}T00` >= toHour) continue;
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
    return this.mem.get(keyOf(day, seq))?.db.data ?? this.readSegment(day, seq);
  }

  private readSegment(day: string, seq: number): Promise<SegmentData> {
    const key = keyOf(day, seq);
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.segs.read(day, seq);
      this.cache.set(key, hit);
      void hit.catch(() => this.cache.delete(key));
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

  /**
   * Writes everything and stops. Never throws: when records still cannot be written, they are
   * saved to a rescue file (stored by the next start) and the result says how many and where.
   */
  async close(): Promise<CloseResult> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearInterval(this.retentionTimer);
    if (this.opts.readOnly) return { unwritten: 0 };
    while (this.loading.size) await Promise.all(this.loading);
    try {
      await this.flush();
      return { unwritten: 0 };
    } catch (e) {
      const records = [...this.dirty].flatMap((seg) => seg.db.data.records);
      // Only rollups failed: the records are on disk and the next start replays the rollups from them.
      if (records.length === 0) return { unwritten: 0 };
      const unwritten = this.unwritten();
      const error = this.health().error ?? String(e);
      try {
        return { unwritten, error, savedTo: await saveRescue(this.opts.dataDir, records) };
      } catch {
        return { unwritten, error };
      }
    }
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
