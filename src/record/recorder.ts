/**
 * The one place a finished request goes (the bottom of the pipeline): its spend into the budgets,
 * a push into the Lava sync outbox when one is due, the record into the store, and the
 * `request.completed` event. Records hold no secrets by construction (no headers, no query
 * strings; captured bodies are scrubbed), so the event can carry the record as it is.
 */
import type { RequestRecord, UsageStore } from '../store/types.js';
import type { SyncEngine } from '../sync/engine.js';
import { recordSpend, type BudgetHost } from './budgets.js';

export interface RecorderHost extends BudgetHost {
  store: UsageStore;
  sync?: Pick<SyncEngine, 'onRecord' | 'noteLavaRefusal'>;
}

export function recordRequest(host: RecorderHost, r: RequestRecord): void {
  host.sync?.onRecord(r);
  if (host.budget) recordSpend(host, host.budget, r);
  if (r.mode === 'lava' && r.error?.startsWith('lava: ')) host.sync?.noteLavaRefusal(r.error, r.status);
  host.store.append(r);
  host.events.emitEvent({ type: 'request.completed', request: r as unknown as Record<string, unknown> });
}
