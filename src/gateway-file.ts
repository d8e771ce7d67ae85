/**
 * Where the data dir is by default and how a command finds the gateway running on it
 * (`gateway.json`). Light on purpose — node built-ins only, no config or zod — because
 * `lava-desktop statusline` loads it on every refresh of Claude Code's status line.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LAVA_DESKTOP_DATA_DIR) return env.LAVA_DESKTOP_DATA_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'lava-desktop');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'lava-desktop');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'lava-desktop');
}

/** Whether a process with this pid exists (one of another user's counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface GatewayInfo {
  url: string;
  port: number;
  pid: number;
  adminToken: string;
  startedAt: string;
  /** `security.localKey`, when set: what local tools send as their API key (`lava-desktop env`). */
  localKey?: string;
}

export const gatewayFile = (dir: string): string => join(dir, 'gateway.json');

export function readGatewayInfo(dir: string): GatewayInfo | undefined {
  try {
    return JSON.parse(readFileSync(gatewayFile(dir), 'utf8')) as GatewayInfo;
  } catch {
    return undefined;
  }
}
