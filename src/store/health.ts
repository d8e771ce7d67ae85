/**
 * The store's health: `ok`, or `degraded` while writes fail (disk full, permissions, I/O), with
 * the error and how many records are not on disk yet. Failed writes are retried with a backoff
 * (1 s doubling to 10 s) until the disk takes them again; the state is shown in `/healthz`,
 * `lava-desktop status`, the dashboard and the tray (PRODUCT.md §6).
 */
export interface StoreHealth {
  state: 'ok' | 'degraded';
  /** The last write error, short (`ENOSPC: no space left on device`). */
  error?: string;
  /** Since when writes fail (ISO time). */
  since?: string;
  /** Records kept in memory that are not on disk yet. */
  unwritten: number;
  /** Records dropped because too many were waiting for the disk (bounded memory). */
  lost: number;
}

export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 10_000;

/** A short, secret-free description of a write error. */
export function describeWriteError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const text = String(err?.message ?? e)
    .replace(/,\s*(open|write|rename|mkdir)\s+'[^']*'$/, '')
    .replace(/^[A-Z]+:\s*/, '');
  return (code ? `${code}: ${text}` : text).slice(0, 200);
}

export class HealthState {
  private degradedSince?: string;
  private lastError?: string;
  private retryMs = RETRY_MIN_MS;
  lost = 0;

  constructor(private readonly onChange: (h: StoreHealth) => void = () => undefined) {}

  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  /** Delay before the next write attempt: the coalescing delay when healthy, the backoff when not. */
  nextDelay(healthyMs: number): number {
    return this.degraded ? this.retryMs : healthyMs;
  }

  view(unwritten: number): StoreHealth {
    if (!this.degraded) return { state: 'ok', unwritten, lost: this.lost };
    return { state: 'degraded', error: this.lastError, since: this.degradedSince, unwritten, lost: this.lost };
  }

  /** A write failed; returns true when this is news (first failure, or another error). */
  failed(e: unknown, unwritten: number): boolean {
    const error = describeWriteError(e);
    const news = !this.degraded || error !== this.lastError;
    if (this.degraded) this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.degradedSince ??= new Date().toISOString();
    this.lastError = error;
    if (news) this.onChange(this.view(unwritten));
    return news;
  }

  /** A write went through; returns true when the store was degraded until now. */
  recovered(unwritten: number): boolean {
    if (!this.degraded) return false;
    this.degradedSince = undefined;
    this.lastError = undefined;
    this.retryMs = RETRY_MIN_MS;
    this.onChange(this.view(unwritten));
    return true;
  }

  dropped(unwritten: number): void {
    this.lost++;
    if (this.lost === 1) this.onChange(this.view(unwritten));
  }
}
