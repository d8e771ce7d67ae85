/**
 * `startGateway()`: the one function that starts the core. The CLI (`lava-desktop serve`) and the
 * Electron main process are two hosts of it.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { ConfigError, type GatewayConfig } from './config.js';
import { GatewayEvents, type GatewayContext } from './context.js';
import { ensureDataDir, gatewayFile, removeGatewayFile, writeJsonAtomic, type GatewayInfo } from './data-dir.js';
import { buildProviders } from './providers/registry.js';
import { LowdbStore } from './store/lowdb-store.js';
import { createGatewayServer } from './server.js';
import { VERSION } from './version.js';
import { SyncEngine, type SyncTiming } from './sync/engine.js';
import { lavaBaseFor } from './lava/token.js';

export { ConfigError } from './config.js';
export type { GatewayConfig } from './config.js';

export interface StartOptions {
  config: GatewayConfig;
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Overrides `config.port`; 0 takes a free port. */
  port?: number;
  /** Sync pacing (tests shorten it). */
  syncTiming?: Partial<SyncTiming>;
  log?: (message: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  adminToken: string;
  events: GatewayEvents;
  context: GatewayContext;
  /** Stops accepting, lets in-flight requests finish (aborting them after `graceMs`), flushes the store. */
  stop(graceMs?: number): Promise<void>;
}

export async function startGateway(opts: StartOptions): Promise<Gateway> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const host = opts.host ?? '127.0.0.1';
  const config = opts.config;
  await ensureDataDir(opts.dataDir);
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
  const store = await LowdbStore.open({ dataDir: opts.dataDir, retentionDays: config.retention.days, log });
  const ctx: GatewayContext = {
    version: VERSION,
    dataDir: opts.dataDir,
    adminToken: randomBytes(24).toString('base64url'),
    config,
    table: { providers, lava: config.lava, allowedHosts: config.forward.allowedHosts },
    store,
    events: new GatewayEvents(),
    paused: false,
    log,
  };
  if (config.lava.secretKey && config.lava.sync) {
    ctx.sync = await SyncEngine.open({
      dataDir: opts.dataDir,
      settings: {
        secretKey: config.lava.secretKey,
        baseUrl: lavaBaseFor(config.lava.secretKey, config.lava.baseUrl),
        customerId: config.lava.customerId,
        meterSlug: config.lava.meterSlug,
      },
      store,
      onStatus: (status) => ctx.events.emitEvent({ type: 'sync.status', status }),
      log,
      timing: opts.syncTiming,
    });
  }
  const { server, setPort } = createGatewayServer(ctx, host);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const port = await listen(server, opts.port ?? config.port, host).catch(async (e: unknown) => {
    await ctx.sync?.stop();
    await store.close();
    throw e;
  });
  setPort(port);
  ctx.sync?.start();
  const url = `http://127.0.0.1:${port}`;
  const info: GatewayInfo = {
    url,
    port,
    pid: process.pid,
    adminToken: ctx.adminToken,
    startedAt: new Date().toISOString(),
  };
  await writeJsonAtomic(gatewayFile(opts.dataDir), info);

  let stopping: Promise<void> | undefined;
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
      await ctx.sync?.stop();
      await store.close();
      await removeGatewayFile(opts.dataDir, process.pid);
    })());

  return { url, port, adminToken: ctx.adminToken, events: ctx.events, context: ctx, stop };
}

function listen(server: import('node:http').Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new ConfigError(`port ${port} on ${host} is already in use; pick another with --port (0 = any free port)`),
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
