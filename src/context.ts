/** What the routes of a running gateway share: config, store, events, tokens, state. */
import { EventEmitter } from 'node:events';
import type { GatewayConfig } from './config.js';
import type { StoreHealth, UsageStore } from './store/types.js';
import type { RouteTable } from './routing/resolve.js';
import type { SyncEngine, SyncStatus } from './sync/engine.js';
import type { Settings } from './settings.js';
import type { BudgetState } from './record/budgets.js';

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

/** The live event stream. The last events are kept so a reconnecting client (Last-Event-ID) misses none. */
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

export interface GatewayContext {
  version: string;
  dataDir: string;
  adminToken: string;
  config: GatewayConfig;
  table: RouteTable;
  store: UsageStore;
  /** Present when a Lava secret key is configured and `lava.sync` is on. */
  sync?: SyncEngine;
  events: GatewayEvents;
  paused: boolean;
  log: (message: string) => void;
  /** The gateway's own base URL (set once listening). */
  url: string;
  /** Dashboard login: the value of the session cookie. */
  sessionToken: string;
  settings: Settings;
  /** Today's and this month's spend for budgets (set once the store is open). */
  budget?: BudgetState;
  /** Lava's web app for the browser login (default https://www.lava.so, or LAVA_APP_URL). */
  lavaAppUrl?: string;
  /** Switches the running gateway to a new config (route table, Lava sync) without a restart. */
  applyConfig(next: GatewayConfig): Promise<void>;
}
