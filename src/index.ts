/**
 * `startGateway()`: the one function that starts the core. The CLI (`lava-desktop serve`) and the
 * Electron main process are two hosts of it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { ConfigError, resolveConfig, type ConfigLayers, type GatewayConfig } from './config.js';
import { Settings } from './settings.js';
import type { SecretStore } from './secrets.js';
import { announceBudgets, attributeSpend, initBudgets } from './record/budgets.js';
import { seedLastSeen } from './record/recorder.js';
import { openGuardState } from './record/guard-state.js';
import { RunawayGuard } from './record/runaway.js';
import { startAttribution } from './record/attribution.js';
import type { RouteTable } from './routing/resolve.js';
import type { GatewayContext } from './context.js';
import { facade, type Gateway } from './gateway.js';
import { GatewayEvents } from './record/events.js';
import {
  ensureDataDir,
  gatewayFile,
  lockDataDir,
  PortInUseError,
  removeGatewayFile,
  StartError,
  writeJsonAtomic,
  type GatewayInfo,
} from './data-dir.js';
import type { CloseResult } from './store/types.js';
import { buildProviders } from './providers/registry.js';
import { LowdbStore } from './store/lowdb-store.js';
import { createGatewayServer, DEFAULT_TIMEOUTS, type Timeouts } from './server.js';
import { VERSION } from './version.js';
import type { SyncEngine, SyncTiming } from './sync/engine.js';
import { lavaBaseFor } from './lava/token.js';

export type { Gateway, GatewaySummary } from './gateway.js';
export { ConfigError } from './config.js';
export type { GatewayConfig, ConfigLayers } from './config.js';
export { configFromEnv, resolveConfig } from './config.js';
export { defaultDataDir, readSavedLayers, DataDirInUseError, PortInUseError, StartError } from './data-dir.js';
export type { CloseResult, StoreHealth } from './store/types.js';
export { FileSecretStore, type SecretStore } from './secrets.js';
export type { GatewayEvent, NumberedEvent } from './context.js';

export interface StartOptions {
  /** A ready config (all keys locked), or… */
  config?: GatewayConfig;
  /** …the config layers, so that dashboard-saved settings can change what is not set by file or env. */
  layers?: ConfigLayers;
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Overrides `config.port`; 0 takes a free port. */
  port?: number;
  /** Where keys saved from the dashboard go (default: the 0600 secrets.json). */
  secretStore?: SecretStore;
  /** Sync pacing (tests shorten it). */
  syncTiming?: Partial<SyncTiming>;
  log?: (message: string) => void;
  /** Lava's web app for `/api/login` (default LAVA_APP_URL or https://www.lava.so). */
  lavaAppUrl?: string;
  /** Slow-client limits (tests shorten them; PRODUCT.md §10 sets the defaults). */
  timeouts?: Partial<Timeouts>;
  /**
   * Whose agents' session files attribution reads (default: the user's home, and Claude Code's
   * CLAUDE_CONFIG_DIR / Codex's CODEX_HOME when set); `false` turns attribution off.
   */
  attribution?: { home?: string } | false;
}

/** The route table of a config; a config a gateway cannot run with is a ConfigError. */
export function routeTableOf(config: GatewayConfig): RouteTable {
  const defaultMode = config.lava.secretKey ? 'lava' : 'direct';
  let providers;
  try {
    providers = buildProviders(config.providers, defaultMode);
  } catch (e) {
    throw new ConfigError(`config: ${(e as Error).message}`);
  }
  for (const p of providers.values()) {
    if (p.mode === 'lava' && !config.lava.secretKey) {
      throw new ConfigError(`config: providers.${p.key}.mode is "lava" but lava.secretKey is not set`);
    }
  }
  return { providers, lava: config.lava, allowedHosts: config.forward.allowedHosts };
}

export async function startGateway(opts: StartOptions): Promise<Gateway> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const host = opts.host ?? '127.0.0.1';
  // Keys given as a ready config (embedders, tests) are all treated as set by a file: locked.
  const layers: ConfigLayers = opts.layers ?? { file: opts.config as unknown as Record<string, unknown> };
  if (!opts.layers && !opts.config) throw new ConfigError('startGateway needs a config or config layers');
  const config = opts.layers ? resolveConfig(opts.layers) : opts.config!;
  const table = routeTableOf(config);
  await ensureDataDir(opts.dataDir).catch((e: NodeJS.ErrnoException) => {
    throw new StartError(`cannot use the data dir ${opts.dataDir} (${e.code ?? e.message})`);
  });
  // Undo what was started, in reverse order, when a later step fails: never a half-started gateway.
  const undo: (() => Promise<unknown>)[] = [await lockDataDir(opts.dataDir)];
  try {
    return await start(opts, config, layers, table, host, log, undo);
  } catch (e) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    if (e instanceof ConfigError || e instanceof StartError) throw e;
    throw new StartError(`cannot start: ${(e as Error).message ?? String(e)}`);
  }
}

async function start(
  opts: StartOptions,
  config: GatewayConfig,
  layers: ConfigLayers,
  table: RouteTable,
  host: string,
  log: (m: string) => void,
  undo: (() => Promise<unknown>)[],
): Promise<Gateway> {
  const events = new GatewayEvents();
  const store = await LowdbStore.open({
    dataDir: opts.dataDir,
    retentionDays: config.retention.days,
    log,
    onHealth: (health) => events.emitEvent({ type: 'store.health', health }),
  });
  undo.push(() => store.close());
  const ctx: GatewayContext = {
    version: VERSION,
    dataDir: opts.dataDir,
    adminToken: randomBytes(24).toString('base64url'),
    sessionToken: randomBytes(24).toString('base64url'),
    url: '',
    config,
    table,
    store,
    events,
    paused: false,
    lastSeen: new Map(),
    log,
    settings: new Settings(layers, opts.dataDir, opts.secretStore, routeTableOf),
    lavaAppUrl: opts.lavaAppUrl,
    applyConfig: async (next) => {
      const nextTable = routeTableOf(next);
      const lavaChanged = JSON.stringify(next.lava) !== JSON.stringify(ctx.config.lava);
      ctx.config = next;
      ctx.table = nextTable;
      if (ctx.budget) announceBudgets(ctx, ctx.budget);
      if (lavaChanged) {
        await ctx.sync?.stop();
        ctx.sync = await openSync(ctx, opts, log);
        ctx.sync?.start();
      }
    },
  };
  ctx.sync = await openSync(ctx, opts, log);
  undo.push(async () => ctx.sync?.stop());
  ctx.budget = await initBudgets(ctx);
  // Paused tools stay paused across a restart, and a tool's last billing is remembered.
  const guards = await openGuardState(opts.dataDir, log);
  ctx.runaway = new RunawayGuard(
    () => ctx.config.guards.runaway,
    (e) => events.emitEvent(e),
    Date.now,
    { initial: guards.initial, onChange: (s) => guards.save(s) },
  );
  if (opts.attribution !== false)
    ctx.attribution = startAttribution(ctx, opts.attribution?.home, log, (r) => {
      if (ctx.budget) attributeSpend(ctx, ctx.budget, r, null);
    });
  // Off the start-up path: when each tool was last seen, from the stored records.
  void seedLastSeen(ctx).catch((e: Error) => log(`store: cannot read when tools were last seen: ${e.message}`));
  const { server, setPort, drained, warm } = createGatewayServer(ctx, host, { ...DEFAULT_TIMEOUTS, ...opts.timeouts });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const port = await listen(server, opts.port ?? config.port, host);
  undo.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  setPort(port);
  const url = `http://127.0.0.1:${port}`;
  ctx.url = url;
  const info: GatewayInfo = {
    url,
    port,
    pid: process.pid,
    adminToken: ctx.adminToken,
    startedAt: new Date().toISOString(),
  };
  if (config.security.localKey) info.localKey = config.security.localKey;
  await writeJsonAtomic(gatewayFile(opts.dataDir), info);
  ctx.sync?.start();
  // The dashboard's app loads once start-up is over, not on its path.
  setTimeout(warm, 300).unref();
  const release = undo[0]!;

  let stopping: Promise<CloseResult> | undefined;
  const stop = (graceMs = 5000) =>
    (stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets go idle as their last response ends: close them as soon as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      // Records of the last requests are built after their sockets close (decoding, estimates): wait for them.
      await drained(2000);
      await ctx.sync?.stop().catch(() => undefined);
      await ctx.attribution?.close().catch(() => undefined);
      await guards.flushed();
      const result = await store.close();
      await removeGatewayFile(opts.dataDir, process.pid).catch(() => undefined);
      await release().catch(() => undefined);
      return result;
    })());

  return facade(ctx, port, stop);
}

async function openSync(
  ctx: GatewayContext,
  opts: StartOptions,
  log: (m: string) => void,
): Promise<SyncEngine | undefined> {
  const lava = ctx.config.lava;
  if (!lava.secretKey || !lava.sync) return undefined;
  // Loaded only when a Lava key is configured for sync.
  const { SyncEngine } = await import('./sync/engine.js');
  return SyncEngine.open({
    dataDir: opts.dataDir,
    settings: {
      secretKey: lava.secretKey,
      baseUrl: lavaBaseFor(lava.secretKey, lava.baseUrl),
      customerId: lava.customerId,
      meterSlug: lava.meterSlug,
    },
    store: ctx.store,
    onStatus: (status) => ctx.events.emitEvent({ type: 'sync.status', status }),
    log,
    timing: opts.syncTiming,
  });
}

function listen(server: import('node:http').Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new PortInUseError(`port ${port} on ${host} is already in use; pick another with --port (0 = any free port)`),
        );
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new ConfigError(`cannot listen on ${host}: ${e.code}`));
      else reject(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
