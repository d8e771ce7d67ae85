/** What the routes of a running gateway share: config, store, events, tokens, state. */
import { EventEmitter } from 'node:events';
import type { GatewayConfig } from './config.js';
import type { UsageStore } from './store/types.js';
import type { RouteTable } from './proxy/resolve.js';
import type { SyncEngine, SyncStatus } from './sync/engine.js';

export type GatewayEvent =
  | { type: 'request.started'; request: Record<string, unknown> }
  | { type: 'request.completed'; request: Record<string, unknown> }
  | { type: 'sync.status'; status: SyncStatus }
  | { type: 'gateway.paused' }
  | { type: 'gateway.resumed' };

export class GatewayEvents extends EventEmitter<{ event: [GatewayEvent] }> {
  emitEvent(e: GatewayEvent): void {
    this.emit('event', e);
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
}
