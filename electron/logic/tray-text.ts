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
