/** What the routes of a running gateway share: config, store, events, tokens, state. */
import type { GatewayConfig } from './config.js';
import type { UsageStore } from './store/types.js';
import type { RouteTable } from './routing/resolve.js';
import type { SyncEngine } from './sync/engine.js';
import type { GatewayEvents } from './record/events.js';

export type { GatewayEvent, NumberedEvent } from './record/events.js';
import type { Settings } from './settings.js';
import type { BudgetState } from './record/budgets.js';
import type { AttributionHandle } from './record/attribution.js';
import type { RunawayGuard } from './record/runaway.js';

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
  /** Joins records to their agent's project, branch and session (PRODUCT.md §13), loaded after start. */
  attribution?: AttributionHandle;
  /** Per tool, when its latest request started (ISO): the Connect page's "last request seen". */
  lastSeen: Map<string, string>;
  /** Today's and this month's spend for budgets (set once the store is open). */
  budget?: BudgetState;
  /** Per tool: the runaway guard's windows and trips, and who paid last (in memory; a restart resumes). */
  runaway?: RunawayGuard;
  /** Lava's web app for the browser login (default https://www.lava.so, or LAVA_APP_URL). */
  lavaAppUrl?: string;
  /** Switches the running gateway to a new config (route table, Lava sync) without a restart. */
  applyConfig(next: GatewayConfig): Promise<void>;
}

/** Pauses or resumes the gateway's proxy routes, and says so on the event stream; returns the new state. */
export function setPaused(ctx: GatewayContext, paused: boolean): boolean {
  ctx.paused = paused;
  ctx.events.emitEvent({ type: paused ? 'gateway.paused' : 'gateway.resumed' });
  return paused;
}
