/**
 * Sync with the Lava account, as a background job that never touches the request path.
 * - Push: `direct`-mode records, when a customer and meter are configured, are reported with
 *   `POST /v1/requests` (local id as `request_id`). The outbox lives in `sync.json`; an entry is
 *   marked `sending` on disk before the call and removed only after Lava answers, and a `sending`
 *   entry found after a crash is looked up at Lava before it is sent again: nothing is counted twice.
 * - Pull: Lava's `GET /v1/requests`, newest first, down to the newest record seen last time. Each
 *   is matched to a local record (`x-lava-request-id`, then `response_id`); Lava's cost becomes
 *   authoritative and the local estimate is kept beside it. Unmatched ones are stored as remote.
 * - Wallet totals (today, this month) from `GET /v1/usage`.
 * Failures back off exponentially with jitter (p-retry) and resume by themselves; a 401 stops
 * sync and says the key is invalid.
 */
import pRetry, { AbortError } from 'p-retry';
import type { Low } from 'lowdb';
import { join } from 'node:path';
import { LavaApiError, LavaClient, type RestRequest, type UsageTotals } from './lava-client.js';
import { openJsonFileChecked } from '../store/json-file.js';
import type { RequestRecord, UsageStore } from '../store/types.js';
import { applyLavaRecord, localIndex } from './reconcile.js';
import { localDayStart, localMonthStart } from '../lib/local-date.js';

export interface SyncSettings {
  secretKey: string;
  baseUrl: string;
  customerId?: string;
  meterSlug?: string;
}

export interface SyncTiming {
  /** Delay of the first sync after start-up. */
  startMs: number;
  /** Pull interval when nothing happens locally. */
  idleMs: number;
  /** Delay after local activity before a sync (debounce). */
  nudgeMs: number;
  /** First and largest backoff delays. */
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_TIMING: SyncTiming = {
  startMs: 1_000,
  idleMs: 60_000,
  nudgeMs: 5_000,
  minBackoffMs: 2_000,
  maxBackoffMs: 300_000,
};
const MAX_PAGES = 20;

interface OutboxEntry {
  state: 'queued' | 'sending';
  params: Record<string, unknown>;
}

interface SyncData {
  v: 1;
  pull: { newestId?: string };
  outbox: Record<string, OutboxEntry>;
  wallet?: { today: UsageTotals; month: UsageTotals; at: string };
}

export interface SyncStatus {
  state: 'idle' | 'syncing' | 'ok' | 'retrying' | 'invalid_key' | 'stopped';
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  pending: number;
  wallet?: SyncData['wallet'];
}

const isSyncData = (v: unknown): v is SyncData =>
  v !== null && typeof v === 'object' && (v as SyncData).v === 1 && typeof (v as SyncData).outbox === 'object';

export class SyncEngine {
  private readonly client: LavaClient;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly abort = new AbortController();
  private readonly status_: Omit<SyncStatus, 'pending' | 'wallet'> = { state: 'idle' };

  private constructor(
    private readonly db: Low<SyncData>,
    private readonly settings: SyncSettings,
    private readonly store: UsageStore,
    private readonly onStatus: (s: SyncStatus) => void,
    private readonly log: (m: string) => void,
    private readonly timing: SyncTiming,
  ) {
    this.client = new LavaClient(settings.baseUrl, settings.secretKey);
  }

  static async open(opts: {
    dataDir: string;
    settings: SyncSettings;
    store: UsageStore;
    onStatus: (s: SyncStatus) => void;
    log: (m: string) => void;
    timing?: Partial<SyncTiming>;
  }): Promise<SyncEngine> {
    const { db, recovered } = await openJsonFileChecked<SyncData>(
      join(opts.dataDir, 'sync.json'),
      () => ({ v: 1, pull: {}, outbox: {} }),
      isSyncData,
      opts.log,
    );
    const engine = new SyncEngine(db, opts.settings, opts.store, opts.onStatus, opts.log, {
      ...DEFAULT_TIMING,
      ...opts.timing,
    });
    if (recovered) engine.ready = engine.rebuildOutbox();
    return engine;
  }

  /** Settles before the first sync: the outbox rebuilt after a corrupt sync.json. */
  private ready: Promise<void> = Promise.resolve();

  /**
   * sync.json was corrupt: its outbox is rebuilt from the records still marked `pending`, each as
   * `sending` so that Lava is asked about it before it is sent (it may have arrived before the
   * file broke): no pending report is lost, none is counted twice.
   */
  private async rebuildOutbox(): Promise<void> {
    let n = 0;
    for (const day of (await this.store.days()).reverse()) {
      for (const r of await this.store.recordsOfDay(day)) {
        if (r.sync !== 'pending' || !r.usage || this.db.data.outbox[r.id]) continue;
        this.db.data.outbox[r.id] = { state: 'sending', params: this.pushParams(r) };
        n++;
      }
    }
    if (n > 0) this.log(`sync: sync.json was unreadable; ${n} pending Lava reports recovered from the records`);
    await this.persist();
  }

  /** Whether records of this gateway are reported to Lava (a customer and a meter are configured). */
  get pushes(): boolean {
    return Boolean(this.settings.customerId && this.settings.meterSlug);
  }

  /** Called for every new record before it is stored: queues a push when one is due. */
  onRecord(r: RequestRecord): void {
    if (this.pushes && r.mode === 'direct' && r.origin !== 'remote' && r.status > 0 && r.status < 400 && r.usage) {
      r.sync = 'pending';
      this.db.data.outbox[r.id] = { state: 'queued', params: this.pushParams(r) };
      void this.persist();
    }
    this.schedule(this.timing.nudgeMs);
  }

  private pushParams(r: RequestRecord): Record<string, unknown> {
    const metadata: Record<string, string> = { provider: r.provider.slice(0, 255) };
    if (r.model) metadata.model = r.model.slice(0, 255);
    const p: Record<string, unknown> = {
      request_id: r.id,
      customer_id: this.settings.customerId,
      meter_slug: this.settings.meterSlug,
      metadata,
      input_tokens: r.usage!.input_tokens,
      output_tokens: r.usage!.output_tokens,
    };
    if (r.usage!.characters) p.input_characters = r.usage!.characters;
    if (r.usage!.seconds) p.input_seconds = r.usage!.seconds;
    return p;
  }

  status(): SyncStatus {
    return { ...this.status_, pending: Object.keys(this.db.data.outbox).length, wallet: this.db.data.wallet };
  }

  /** Lava refused a proxied request (401 key, 402 wallet): show it with the sync status. */
  noteLavaRefusal(message: string, status: number): void {
    this.status_.lastError = message;
    if (status === 401) this.status_.state = 'invalid_key';
    this.onStatus(this.status());
  }

  start(): void {
    this.schedule(this.timing.startMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running?.catch(() => undefined);
    await this.persist();
  }

  /** Runs a sync now (and waits for it); a run already under way is awaited, then run again. */
  async syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      await this.running;
    }
    await this.run();
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted || this.status_.state === 'invalid_key') return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.run().catch(() => undefined);
    }, delayMs);
    this.timer.unref();
  }

  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = pRetry(() => this.cycle(), {
      forever: true,
      unref: true,
      randomize: true,
      factor: 2,
      minTimeout: this.timing.minBackoffMs,
      maxTimeout: this.timing.maxBackoffMs,
      signal: this.abort.signal,
      onFailedAttempt: (e) => this.failed(e),
    })
      .then(() => this.succeeded())
      .catch((e: Error) => {
        if (!this.abort.signal.aborted) this.log(`sync: stopped: ${e.message}`);
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else this.schedule(this.timing.idleMs);
      });
    return this.running;
  }

  private succeeded(): void {
    Object.assign(this.status_, { state: 'ok', lastSuccessAt: new Date().toISOString(), lastError: undefined });
    this.onStatus(this.status());
  }

  private failed(e: Error): void {
    this.status_.state = 'retrying';
    this.status_.lastError = e.message;
    this.log(`sync: ${e.message} (retrying with backoff)`);
    this.onStatus(this.status());
  }

  /** One sync: settle in-flight pushes, push the outbox, pull new records, refresh wallet totals. */
  private async cycle(): Promise<void> {
    await this.ready;
    this.status_.state = 'syncing';
    this.status_.lastAttemptAt = new Date().toISOString();
    try {
      await this.push();
      await this.pull();
      await this.wallet();
    } catch (e) {
      if (e instanceof LavaApiError && e.status === 401) {
        this.status_.state = 'invalid_key';
        this.status_.lastError =
          'Lava rejected the secret key: sync is stopped. Check lava.secretKey or run `lava-desktop login`.';
        this.onStatus(this.status());
        throw new AbortError(this.status_.lastError);
      }
      throw e;
    } finally {
      await this.persist();
    }
  }

  private async push(): Promise<void> {
    for (const [id, entry] of Object.entries(this.db.data.outbox)) {
      if (entry.state === 'sending') {
        // Sent before a crash or a failure, answer unknown: ask Lava before sending again.
        const known = await this.client.getRequest(id).then(
          () => true,
          (e: unknown) => {
            if (e instanceof LavaApiError && e.status === 404) return false;
            throw e;
          },
        );
        if (known) {
          await this.pushed(id);
          continue;
        }
      }
      entry.state = 'sending';
      await this.db.write();
      try {
        await this.client.createRequest(entry.params);
      } catch (e) {
        if (e instanceof LavaApiError && e.status >= 400 && e.status < 500 && ![401, 408, 429].includes(e.status)) {
          // Lava refuses this record for good (bad meter, bad customer): keep it out of the queue.
          this.log(`sync: Lava refused request ${id}: ${e.message}`);
          delete this.db.data.outbox[id];
          await this.store.update(id, { sync: 'local' });
          continue;
        }
        throw e;
      }
      await this.pushed(id);
    }
  }

  private async pushed(id: string): Promise<void> {
    delete this.db.data.outbox[id];
    await this.db.write();
    await this.store.update(id, { sync: 'synced' });
  }

  private async pull(): Promise<void> {
    const fresh: RestRequest[] = [];
    let cursor: string | undefined;
    pages: for (let page = 0; page < MAX_PAGES; page++) {
      const p = await this.client.listRequests(cursor, 100);
      for (const r of p.data) {
        if (r.request_id === this.db.data.pull.newestId) break pages;
        fresh.push(r);
      }
      if (!p.has_more || !p.next_cursor) break;
      cursor = p.next_cursor;
    }
    if (fresh.length === 0) return;
    const index = await localIndex(this.store, fresh);
    for (const r of fresh.reverse()) await applyLavaRecord(this.store, r, index);
    this.db.data.pull.newestId = fresh.at(-1)!.request_id;
  }

  private async wallet(): Promise<void> {
    const now = new Date();
    const [today, month] = await Promise.all([
      this.client.usage(localDayStart(0, now).toISOString()),
      this.client.usage(localMonthStart(now).toISOString()),
    ]);
    this.db.data.wallet = { today: today.totals, month: month.totals, at: now.toISOString() };
  }

  private persist(): Promise<void> {
    return this.db.write().catch((e: Error) => this.log(`sync: cannot save sync.json: ${e.message}`));
  }
}
