/**
 * Tray text and icon state from plain data (no Electron here, so it is unit-tested): today's
 * spend for the title/tooltip, and which icon to show.
 */
import type { GatewaySummary } from '../../src/index.js';
/** What the tray shows: the gateway's summary (the store's health may be left out, as in tests of other states). */
export type TrayInput = Omit<GatewaySummary, 'store' | 'wallet'> & { store?: GatewaySummary['store'] };

export type IconState = 'running' | 'paused' | 'budget-exceeded' | 'sync-error' | 'store-error';

export const storeDegraded = (t: TrayInput): boolean => t.store?.state === 'degraded';

export const usd = (v: string | number, digits = 2): string => {
  const n = Number(v);
  return `$${n > 0 && n < 0.01 ? n.toFixed(4) : n.toFixed(digits)}`;
};

type Budget = NonNullable<TrayInput['budgets']>[number];

/** A cap's limit, short: `$10`, `$2.50`. */
const limitText = (n: number): string => (Number.isInteger(n) ? `$${n}` : usd(n));

/** A project's folder name (the last part of its path). */
const folder = (path: string): string => path.split(/[\\/]/).filter(Boolean).pop() ?? path;

/** A cap's name on a menu line: none for everything's, the tool id, a project's folder name. */
const capName = (b: Budget): string => (b.scope === 'global' ? '' : `${b.scope === 'tool' ? b.key : folder(b.key!)} `);

/** The share of a cap still left (0 when reached), to put the tightest caps first. */
const share = (b: Budget): number => Number(b.left) / b.limit;

/**
 * One short menu line per window with caps, what is left of each: everything's first, then the
 * tightest; past `max` caps the rest are counted (`Left today: $6.90 of $10 · codex $3.80 of $5 · +2 more`).
 */
export function budgetLines(t: TrayInput, max = 3): string[] {
  const lines: string[] = [];
  for (const [period, label] of [
    ['daily', 'Left today'],
    ['monthly', 'Left this month'],
  ] as const) {
    const caps = (t.budgets ?? [])
      .filter((b) => b.period === period)
      .sort((a, b) => Number(b.scope === 'global') - Number(a.scope === 'global') || share(a) - share(b));
    if (!caps.length) continue;
    const shown = caps.slice(0, max).map((b) => `${capName(b)}${usd(b.left)} of ${limitText(b.limit)}`);
    if (caps.length > max) shown.push(`+${caps.length - max} more`);
    lines.push(`${label}: ${shown.join(' · ')}`);
  }
  return lines;
}

export function trayTitle(t: TrayInput): string {
  return usd(t.todayCost);
}

export function trayTooltip(t: TrayInput): string {
  const state = t.paused ? 'paused' : `on :${t.port}`;
  if (storeDegraded(t))
    return `Lava Desktop (${state}) — NOT SAVING RECORDS (${t.store!.error}); ${t.store!.unwritten} waiting in memory`;
  return `Lava Desktop (${state}) — today ${usd(t.todayCost)} · ${t.todayRequests} requests · this month ${usd(t.monthCost)}`;
}

export function iconState(t: TrayInput): IconState {
  if (storeDegraded(t)) return 'store-error';
  if (t.paused) return 'paused';
  if (t.budgetExceeded) return 'budget-exceeded';
  if (t.syncState === 'invalid_key' || t.syncState === 'retrying') return 'sync-error';
  return 'running';
}

/**
 * Limits tray refreshes to one a second, and none when nothing visible changed. Returns whether
 * to apply `text` now (callers re-offer the latest text on a timer).
 */
export class TrayThrottle {
  private last = '';
  private lastAt = -Infinity;

  constructor(private readonly intervalMs = 1000) {}

  offer(text: string, now: number): boolean {
    if (text === this.last) return false;
    if (now - this.lastAt < this.intervalMs) return false;
    this.last = text;
    this.lastAt = now;
    return true;
  }
}
