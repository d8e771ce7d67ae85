/**
 * The live event stream of a gateway: each request as it starts and completes, spend and budget
 * alerts, sync and store health, settings and pause changes. The last events are kept so a
 * reconnecting client (Last-Event-ID) misses none.
 */
import { EventEmitter } from 'node:events';
import type { SyncStatus } from '../sync/engine.js';
import type { StoreHealth } from '../store/types.js';

export type GatewayEvent =
  | { type: 'request.started'; request: Record<string, unknown> }
  | { type: 'request.completed'; request: Record<string, unknown> }
  | { type: 'sync.status'; status: SyncStatus }
  | { type: 'budget.alert'; period: 'daily' | 'monthly'; threshold: number; spent: string; limit: number }
  | { type: 'settings.changed' }
  | { type: 'settings.upstream_changed'; key: string; from: string | null; to: string | null }
  | { type: 'store.health'; health: StoreHealth }
  | { type: 'gateway.paused' }
  | { type: 'gateway.resumed' };

export interface NumberedEvent {
  id: number;
  event: GatewayEvent;
}

export class GatewayEvents extends EventEmitter<{ event: [NumberedEvent] }> {
  private seq = 0;
  private readonly recent: NumberedEvent[] = [];
  static readonly KEEP = 1000;

  emitEvent(e: GatewayEvent): void {
    const n = { id: ++this.seq, event: e };
    this.recent.push(n);
    if (this.recent.length > GatewayEvents.KEEP) this.recent.shift();
    this.emit('event', n);
  }

  /** Events after `id` still kept (all of them if the client is too far behind to resume exactly). */
  since(id: number): NumberedEvent[] {
    return this.recent.filter((n) => n.id > id);
  }
}
