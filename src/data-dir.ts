/**
 * The data dir and its small files: default location per OS, `gateway.json` (how other programs
 * find the running gateway, 0600: it holds the admin token), the saved settings and the headless
 * secrets file (0600).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, readJsonObject } from './config.js';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LAVA_DESKTOP_DATA_DIR) return env.LAVA_DESKTOP_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'lava-desktop');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'lava-desktop');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'lava-desktop');
}

export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Writes a small JSON file atomically with the given mode (temp name does not end in .json). */
export async function writeJsonAtomic(file: string, value: unknown, mode = 0o600): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
  await chmod(tmp, mode);
  await rename(tmp, file);
}

export interface GatewayInfo {
  url: string;
  port: number;
  pid: number;
  adminToken: string;
  startedAt: string;
}

export const gatewayFile = (dir: string): string => join(dir, 'gateway.json');

export async function removeGatewayFile(dir: string, pid: number): Promise<void> {
  const info = readGatewayInfo(dir);
  if (info?.pid === pid) await rm(gatewayFile(dir), { force: true });
}

export function readGatewayInfo(dir: string): GatewayInfo | undefined {
  try {
    return JSON.parse(readFileSync(gatewayFile(dir), 'utf8')) as GatewayInfo;
  } catch {
    return undefined;
  }
}

/** Saved settings (from the dashboard) and headless secrets, as config layers. */
export function readSavedLayers(dir: string): { saved?: Record<string, unknown>; secrets?: Record<string, unknown> } {
  const out: { saved?: Record<string, unknown>; secrets?: Record<string, unknown> } = {};
  for (const [name, key] of [
    ['settings.json', 'saved'],
    ['secrets.json', 'secrets'],
  ] as const) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    try {
      out[key] = readJsonObject(file);
    } catch (e) {
      throw new ConfigError(`${(e as Error).message} — fix or remove the file`);
    }
  }
  return out;
}
