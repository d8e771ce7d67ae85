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
  | { type: 'gateway.resumed' }
  | {
      type: 'guard.tripped';
      tool: string;
      reason: 'requestsPerMinute' | 'dollarsPerHour';
      value: number;
      limit: number;
      at: string;
    }
  | { type: 'guard.resumed'; tool: string }
  | { type: 'billing.changed'; tool: string; from: 'subscription'; to: 'api'; requestId: string; at: string };

export interface NumberedEvent {
  id: number;
  event: GatewayEvent;
}

export class GatewayEvents extends EventEmitter<{ event: [NumberedEvent] }> {
  static readonly KEEP = 1000;
  private seq = 0;
  /** The last KEEP events, in a ring (no array shifting per event). */
  private readonly recent: (NumberedEvent | undefined)[] = new Array<NumberedEvent | undefined>(GatewayEvents.KEEP);

  emitEvent(e: GatewayEvent): void {
    const n = { id: ++this.seq, event: e };
    this.recent[n.id % GatewayEvents.KEEP] = n;
    this.emit('event', n);
  }

  /** Events after `id` still kept, oldest first (all of them if the client is too far behind to resume exactly). */
  since(id: number): NumberedEvent[] {
    const out: NumberedEvent[] = [];
    for (let i = Math.max(id + 1, this.seq - GatewayEvents.KEEP + 1); i <= this.seq; i++) {
      const n = this.recent[i % GatewayEvents.KEEP];
      if (n?.id === i) out.push(n);
    }
    return out;
  }
}
