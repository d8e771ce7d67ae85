/**
 * The Gateway facade: what a host of the core (the CLI's `serve`, the Electron shell, an
 * embedder) may use of a running gateway — where it is, its live events, pause and resume, a
 * summary for a tray, the connect snippets, stop. Everything else stays inside (the context is
 * reached only by the core's own modules and tests, through `contextOf`).
 */
import { homedir } from 'node:os';
import type { GatewayContext } from './context.js';
import { setPaused } from './context.js';
import type { GatewayEvents } from './record/events.js';
import type { CloseResult, StoreHealth } from './store/types.js';
import { spendReport, spendWindow } from './admin/spend.js';
import { budgetReached, budgetStatus } from './record/admission.js';
import { toolSnippet } from './connect/snippets.js';

export interface GatewaySummary {
  todayCost: string;
  todayRequests: number;
  monthCost: string;
  port: number;
  paused: boolean;
  /** A hard budget refuses requests now. */
  budgetExceeded: boolean;
  syncState?: string;
  lastRequest?: { model?: string; cost?: string };
  /** Lava's wallet totals from the last sync (today, this month). */
  wallet?: { today: string; month: string };
  store: StoreHealth;
  /** Each cap configured (PRODUCT.md §14): everything's, a tool's or a project's, daily or monthly, and what is left. */
  budgets?: {
    scope: 'global' | 'tool' | 'project';
    key: string | null;
    period: 'daily' | 'monthly';
    limit: number;
    spent: string;
    left: string;
  }[];
  /** Tools the runaway guard paused (PRODUCT.md §14), each resumed with `resumeTool`. */
  tripped?: { tool: string; reason: 'requestsPerMinute' | 'dollarsPerHour' }[];
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly adminToken: string;
  readonly dataDir: string;
  /** The live event stream (`events.on('event', …)`), as `/api/events` sends it. */
  readonly events: GatewayEvents;
  readonly paused: boolean;
  pause(): void;
  resume(): void;
  /** Lets a tool the runaway guard paused send again; false if it was not paused. */
  resumeTool(tool: string): boolean;
  /** Today's and this month's spend, the last request, budget, sync and store state: a tray's contents. */
  summary(): Promise<GatewaySummary>;
  /** What to paste to point a tool at this gateway (`claude-code`, `codex`, `openai-sdk`, …). */
  snippet(tool: string): string | undefined;
  /** The tools whose own config points at this gateway (`lava-desktop connect`), e.g. to offer disconnecting on quit. */
  connectedTools(): Promise<{ id: string; name: string }[]>;
  /** Undoes `connect` for a tool (byte for byte when its file is unchanged since). */
  disconnect(tool: string): Promise<void>;
  /**
   * Stops accepting, lets in-flight requests finish (aborting them after `graceMs`), flushes the
   * store. Never throws: the result says how many records could not be written, and where they went.
   */
  stop(graceMs?: number): Promise<CloseResult>;
}

const contexts = new WeakMap<Gateway, GatewayContext>();

/** Whose tools' configs connect edits: this user's. */
const where = (ctx: GatewayContext) => ({ home: homedir(), dataDir: ctx.dataDir, env: process.env });

/** The gateway's inside, for the core's own modules and tests. */
export function contextOf(gw: Gateway): GatewayContext {
  const ctx = contexts.get(gw);
  if (!ctx) throw new Error('not a gateway started by startGateway()');
  return ctx;
}

export function facade(ctx: GatewayContext, port: number, stop: Gateway['stop']): Gateway {
  const gw: Gateway = {
    url: ctx.url,
    port,
    adminToken: ctx.adminToken,
    dataDir: ctx.dataDir,
    events: ctx.events,
    get paused() {
      return ctx.paused;
    },
    pause: () => void setPaused(ctx, true),
    resume: () => void setPaused(ctx, false),
    resumeTool: (tool) => ctx.runaway?.resume(tool) ?? false,
    summary: () => summary(ctx, port),
    snippet: (tool) => toolSnippet(tool, ctx.url),
    connectedTools: async () => {
      const { agentStatuses } = await import('./connect/connector.js');
      const all = await agentStatuses(ctx.url, where(ctx));
      return all.filter((a) => a.connected).map((a) => ({ id: a.id, name: a.name }));
    },
    disconnect: async (tool) => {
      const { disconnectTool } = await import('./connect/connector.js');
      await disconnectTool(tool, where(ctx));
    },
    stop,
  };
  contexts.set(gw, ctx);
  return gw;
}

async function summary(ctx: GatewayContext, port: number): Promise<GatewaySummary> {
  const [from, to] = spendWindow(1);
  const report = spendReport(await ctx.store.rollups(from, to), 1, 'model');
  const last = (await ctx.store.list({ limit: 1 })).data[0];
  const sync = ctx.sync?.status();
  const out: GatewaySummary = {
    todayCost: report.today.cost,
    todayRequests: report.today.requests,
    monthCost: report.month.cost,
    port,
    paused: ctx.paused,
    budgetExceeded: ctx.config.budgets.hardStop && budgetReached(ctx),
    store: ctx.store.health(),
  };
  if (sync) out.syncState = sync.state;
  if (sync?.wallet) out.wallet = { today: sync.wallet.today.total_cost, month: sync.wallet.month.total_cost };
  const tripped = ctx.runaway?.tripped() ?? [];
  if (tripped.length) out.tripped = tripped.map(({ tool, reason }) => ({ tool, reason }));
  if (last) out.lastRequest = { model: last.model, cost: last.cost };
  const caps = budgetStatus(ctx).scopes;
  if (caps.length)
    out.budgets = caps.map(({ scope, key, period, limit, spent, left }) => ({
      scope,
      key,
      period,
      limit,
      spent,
      left,
    }));
  return out;
}
