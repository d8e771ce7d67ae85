/**
 * The data dir and its small files: default location per OS, `gateway.json` (how other programs
 * find the running gateway, 0600: it holds the admin token), the saved settings and the headless
 * secrets file (0600), and `gateway.lock`: one data dir, one gateway (two writers on one store
 * would overwrite each other's files).
 */
import { join } from 'node:path';
import { chmod, mkdir, open, readFile, realpath, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { ConfigError, readJsonObject } from './config.js';
import { writeAtomic } from './lib/atomic-file.js';
import { gatewayFile, isAlive, readGatewayInfo } from './gateway-file.js';

// The light half (no config), re-exported so the data dir reads as one module.
export { defaultDataDir, gatewayFile, isAlive, readGatewayInfo, type GatewayInfo } from './gateway-file.js';

/**
 * Creates the data dir (0700). An existing one that others can read is closed to them: it holds
 * keys, tokens and, with `capture.bodies`, prompts.
 */
export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const st = await stat(dir);
  if (st.mode & 0o077 && typeof process.getuid === 'function' && st.uid === process.getuid()) {
    await chmod(dir, st.mode & 0o700);
  }
}

/** Start-up problems the user must fix (exit 1 with one line): the data dir cannot be written, … */
export class StartError extends Error {
  override name = 'StartError';
}

/** The port asked for is taken (the desktop app then takes a free one and says so). */
export class PortInUseError extends ConfigError {
  override name = 'PortInUseError';
}

/** Another gateway runs on this data dir (exit 2, naming it). */
export class DataDirInUseError extends ConfigError {
  override name = 'DataDirInUseError';
}

const LOCK = 'gateway.lock';

interface LockBody {
  pid: number;
  startedAt: string;
}

const cannotWrite = (dir: string, e: unknown): StartError =>
  new StartError(`cannot write to the data dir ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);

/**
 * Takes the data dir for this process. Where the OS offers a lock it releases itself when a process
 * dies (Linux: an abstract socket; Windows: a named pipe, both named after the data dir's real
 * path), that lock decides, so a crash leaves nothing stale and two starts cannot both win. Then
 * `gateway.lock` records our pid (elsewhere it is the lock: created exclusively; a lock whose
 * process has ended is taken over). A live holder is refused with its URL and pid. Returns the
 * release function.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, LOCK);
  const body: LockBody = { pid: process.pid, startedAt: new Date().toISOString() };
  const kernel = await kernelLock(dir);
  if (kernel === 'in-use') throw inUse(dir, await readLock(file));
  const release = async () => {
    kernel?.close();
    const now = await readLock(file);
    if (now?.pid === process.pid) await rm(file, { force: true });
  };
  if (kernel) {
    try {
      await writeJsonAtomic(file, body);
    } catch (e) {
      kernel.close();
      throw cannotWrite(dir, e);
    }
    return release;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    let handle;
    try {
      handle = await open(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(dir, e);
      await refuseIfHeld(dir, file);
      continue;
    }
    try {
      await handle.writeFile(JSON.stringify(body));
    } catch (e) {
      await handle.close();
      await rm(file, { force: true });
      throw cannotWrite(dir, e);
    }
    await handle.close();
    return release;
  }
  throw new StartError(`cannot take the data dir ${dir}: another gateway keeps starting on it`);
}

/** The OS-level lock of a data dir, where there is one: held (a server), in use, or not available here. */
async function kernelLock(dir: string): Promise<net.Server | 'in-use' | undefined> {
  const id = createHash('sha256')
    .update(await realpath(dir))
    .digest('hex')
    .slice(0, 32);
  const path =
    process.platform === 'linux'
      ? `\0lava-desktop-${id}`
      : process.platform === 'win32'
        ? `\\\\.\\pipe\\lava-desktop-${id}`
        : undefined;
  if (!path) return undefined;
  const server = net.createServer((s) => s.destroy());
  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? 'in-use' : undefined));
    server.listen(path, () => {
      server.unref();
      resolve(server);
    });
  });
}

function inUse(dir: string, held: LockBody | undefined): DataDirInUseError {
  const info = readGatewayInfo(dir);
  const where =
    held && info?.pid === held.pid
      ? `${info.url} (pid ${held.pid})`
      : held
        ? `pid ${held.pid}, still starting`
        : 'still starting';
  return new DataDirInUseError(
    `another Lava Desktop gateway is running on the data dir ${dir}: ${where}; stop it, or use another --data-dir`,
  );
}

async function readLock(file: string): Promise<LockBody | undefined> {
  try {
    const b = JSON.parse(await readFile(file, 'utf8')) as Partial<LockBody>;
    return typeof b.pid === 'number' ? (b as LockBody) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A live pid in an old lock that gateway.json does not name is another program that got the pid
 * of a gateway that died (after a reboot, say): the lock is stale.
 */
function pidReused(dir: string, held: LockBody): boolean {
  const age = Date.now() - Date.parse(held.startedAt);
  return age > 60_000 && readGatewayInfo(dir)?.pid !== held.pid;
}

/** Throws when the lock is held by a live process; removes it when its process has ended. */
async function refuseIfHeld(dir: string, file: string): Promise<void> {
  const held = await readLock(file);
  if (!held) {
    // Being written by a gateway that is starting this very moment, or left empty long ago.
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => Infinity,
    );
    if (age < 2000) throw new DataDirInUseError(`another Lava Desktop gateway is starting on the data dir ${dir}`);
  } else if (isAlive(held.pid) && !pidReused(dir, held)) {
    throw inUse(dir, held);
  }
  await rm(file, { force: true });
}

/** Writes a small JSON file atomically with the given mode (unique temp name, never ending in .json). */
export async function writeJsonAtomic(file: string, value: unknown, mode = 0o600): Promise<void> {
  await writeAtomic(file, JSON.stringify(value, null, 2) + '\n', mode);
}

export async function removeGatewayFile(dir: string, pid: number): Promise<void> {
  const info = readGatewayInfo(dir);
  if (info?.pid === pid) await rm(gatewayFile(dir), { force: true });
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
