/**
 * Which gateway `connect` points tools at: the running one (its `url` in `<data-dir>/gateway.json`
 * while its process lives, with its admin token and local key), else the configured one at
 * `http://127.0.0.1:<port>` (the port and local key from the saved settings and the environment,
 * 5282 by default).
 */
import { configFromEnv, DEFAULT_PORT, resolveConfig } from '../config.js';
import { isAlive, readGatewayInfo, readSavedLayers } from '../data-dir.js';

export interface GatewayTarget {
  url: string;
  running: boolean;
  /** Present when running: for `GET /api/connect`. */
  adminToken?: string;
  localKey?: string;
}

export function gatewayTarget(dataDir: string, env: NodeJS.ProcessEnv = process.env): GatewayTarget {
  const info = readGatewayInfo(dataDir);
  if (info && isAlive(info.pid)) {
    const t: GatewayTarget = { url: info.url.replace(/\/+$/, ''), running: true, adminToken: info.adminToken };
    if (info.localKey) t.localKey = info.localKey;
    return t;
  }
  const config = resolveConfig({ ...readSavedLayers(dataDir), env: configFromEnv(env) });
  const t: GatewayTarget = { url: `http://127.0.0.1:${config.port || DEFAULT_PORT}`, running: false };
  if (config.security.localKey) t.localKey = config.security.localKey;
  return t;
}
