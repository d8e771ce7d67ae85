/**
 * The one place a finished request goes (the bottom of the pipeline): its spend into the budgets,
 * a push into the Lava sync outbox when one is due, the record into the store, and the
 * `request.completed` event. Records hold no secrets by construction (no headers, no query
 * strings; captured bodies are scrubbed), so the event can carry the record as it is.
 */
import type { RequestRecord, UsageStore } from '../store/types.js';
import type { SyncEngine } from '../sync/engine.js';
import { recordSpend, type BudgetHost } from './budgets.js';
import type { AttributionHandle } from './attribution.js';
import type { RunawayGuard } from './runaway.js';

/** Tools whose session files attribution reads. */
const AGENTS = new Set(['claude-code', 'codex']);

export interface RecorderHost extends BudgetHost {
  store: UsageStore;
  sync?: Pick<SyncEngine, 'onRecord' | 'noteLavaRefusal'>;
  lastSeen?: Map<string, string>;
  attribution?: Pick<AttributionHandle, 'note'>;
  runaway?: Pick<RunawayGuard, 'onRecord'>;
}

export function recordRequest(host: RecorderHost, r: RequestRecord): void {
  if (r.tool) host.lastSeen?.set(r.tool, r.startedAt);
  host.sync?.onRecord(r);
  if (host.budget) recordSpend(host, host.budget, r);
  host.runaway?.onRecord(r);
  if (r.mode === 'lava' && r.error?.startsWith('lava: ')) host.sync?.noteLavaRefusal(r.error, r.status);
  host.store.append(r);
  // After the append: the join may come at once, and it edits the stored record.
  if (r.session || (r.tool && AGENTS.has(r.tool))) host.attribution?.note(r);
  host.events.emitEvent({ type: 'request.completed', request: r as unknown as Record<string, unknown> });
}

/**
 * When each tool was last seen, from what is stored: the newest records give exact times, older
 * tools the start of the last hour their rollups count them in (30 days back).
 */
export async function seedLastSeen(host: Pick<RecorderHost, 'store' | 'lastSeen'>, now = new Date()): Promise<void> {
  const seen = host.lastSeen;
  if (!seen) return;
  const keep = (tool: string | null | undefined, at: string) => {
    if (tool && !(seen.get(tool)! >= at)) seen.set(tool, at);
  };
  for (const r of (await host.store.list({ limit: 500 })).data) keep(r.tool, r.startedAt);
  const rows = await host.store.rollups(new Date(now.getTime() - 30 * 86_400_000), new Date(now.getTime() + 3_600_000));
  const exact = new Set(seen.keys());
  for (const row of rows) if (row.tool && !exact.has(row.tool)) keep(row.tool, `${row.hour}:00:00.000Z`);
}
