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
import type { Log } from './json-file.js';
import type { DayRollup } from './rollup-files.js';
import { SEGMENT_MAX, SegmentFiles, type Segment, type SegmentData } from './segments.js';
import { HealthState, type StoreHealth } from './health.js';
import { importRescued, saveRescue } from './rescue.js';
import { DayRollups } from './day-rollups.js';
import { listRecords } from './paging.js';
import {
  ROLLUP_DIMENSIONS,
  type CloseResult,
  type ListOptions,
  type RecordPage,
  type RequestRecord,
  type RollupRow,
  type UsageStore,
} from './types.js';

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
  /** The segment each day's new records go to. */
  private readonly open = new Map<string, Segment>();
  /** Segments whose copy in memory is the truth: open ones, unwritten ones, ones being edited. */
  private readonly mem = new Map<string, Segment>();
  private readonly dirty = new Set<Segment>();
  private readonly dayRollups: DayRollups;
  private readonly cache = new Map<string, Promise<SegmentData>>();
  private nextSeq = 1;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly healthState: HealthState;

  private constructor(private readonly opts: StoreOptions) {
    this.segs = new SegmentFiles(opts.dataDir, opts.log);
    const source = {
      seqsOf: (day: string) => this.segs.seqsOf(day),
      read: (day: string, seq: number) => this.readSegment(day, seq),
      forget: (day: string, seq: number) => void this.cache.delete(keyOf(day, seq)),
    };
    this.dayRollups = new DayRollups(opts.dataDir, source, opts.log, () => this.schedule(), opts.readOnly);
    this.healthState = new HealthState(opts.onHealth);
  }

  static async open(opts: StoreOptions): Promise<LowdbStore> {
    const store = new LowdbStore(opts);
    store.nextSeq = (await store.segs.maxSeq()) + 1;
    if (opts.readOnly) {
      for (const day of (await store.segs.days()).slice(-2)) await store.dayRollups.load(day);
      return store;
    }
    await store.reconcile();
    await importRescued(store, opts.dataDir, opts.log);
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
    const unwritten = this.healthState.degraded ? this.unwritten() : 0;
    if (unwritten >= max) {
      this.healthState.dropped(unwritten);
      if (this.healthState.lost === 1)
        this.opts.log(`store: ${max} records are waiting for the disk; further records are dropped`);
      return;
    }
    const day = record.startedAt.slice(0, 10);
    this.dayRollups.add(day, record);
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

  /** At start-up: the days the newest records can belong to are checked against the segments. */
  private async reconcile(): Promise<void> {
    const days = (await this.segs.days()).slice(-2);
    for (const day of days) await this.dayRollups.load(day);
    // A rollup write that fails now does not stop the start: the store begins degraded and retries.
    await this.flush().catch(() => undefined);
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
    await this.dayRollups.settle();
    await this.placeFreshSegments();
    // Snapshot segments and rollups at one instant, so the rollup files count exactly the records
    // the segment files hold, even though appends continue while the files are written.
    const segs = [...this.dirty].map((seg) => ({
      seg,
      gen: seg.gen,
      data: { v: 1 as const, records: seg.db.data.records.slice() },
    }));
    const rollups = this.dayRollups.snapshot((day, prevMax) => this.watermarkFor(day, prevMax));
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
      for (const snap of rollups) {
        try {
          await snap.db.adapter.write(snap.data);
        } catch (e) {
          failure ??= e;
          continue;
        }
        this.dayRollups.written(snap);
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

  list(opts: ListOptions): Promise<RecordPage> {
    return listRecords(
      { days: () => this.days(), seqsOf: (d) => this.seqsOf(d), records: (d, q) => this.records(d, q) },
      opts,
    );
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
    const counted = patch.costSource === 'lava' || ROLLUP_DIMENSIONS.some((d) => d in patch);
    const rollup = counted ? await this.dayRollups.load(day) : undefined;
    const found = await this.locate(id);
    if (!found) return undefined;
    const { seg, record } = found;
    const before = { ...record };
    Object.assign(record, patch);
    if (rollup && record.costSource === 'lava' && before.costSource !== 'lava')
      this.dayRollups.applyLavaCost(rollup, seg.day, record, before);
    if (rollup) this.dayRollups.moveRecord(rollup, seg.day, before, record);
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

  rollups(from: Date, to: Date): Promise<RollupRow[]> {
    return this.dayRollups.rows(from, to);
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
