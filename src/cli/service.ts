/**
 * `lava-desktop service install|uninstall|status`: runs `lava-desktop serve` as the user's
 * background service (systemd user unit, launchd agent, Windows logon task), so connected tools
 * keep working without the window. The unit comes from src/service/units.ts; the OS's manager is
 * asked only where it answers (`LAVA_DESKTOP_SERVICE_MANAGER=none` leaves it alone).
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packagePath } from '../version.js';
import { intFlag, parse, UsageError } from './args.js';
import { defaultDataDir, ensureDataDir, isAlive, readGatewayInfo } from '../data-dir.js';
import { managerFor, ServiceError, startHint, type Manager } from '../service/manager.js';
import { serviceFile, unitBytes, unitFor, type ServicePlatform, type ServiceSpec } from '../service/units.js';

export const SERVICE_HELP = `Usage: lava-desktop service install [--port N] [--data-dir DIR] [--config FILE] [--dry-run]
       lava-desktop service uninstall
       lava-desktop service status [--data-dir DIR] [--json]

Runs "lava-desktop serve" as your background service, started at login and restarted if it fails:
  Linux    systemd user unit ~/.config/systemd/user/lava-desktop.service
  macOS    launchd agent ~/Library/LaunchAgents/com.lavapayments.lava-desktop.plist (log: <data dir>/service.log)
  Windows  Task Scheduler task "Lava Desktop" at logon (~\\AppData\\Local\\lava-desktop\\lava-desktop-task.xml)
  install    writes the file (--dry-run: prints it) and starts the service where the service manager answers
  uninstall  stops the service and removes the file
  status     installed or not, what the service manager says, and whether a gateway answers (exit 0 installed, 1 not)
Set LAVA_DESKTOP_SERVICE_MANAGER=none to write or remove the file only, never calling systemctl/launchctl/schtasks.`;

const platformOf = (p: NodeJS.Platform): ServicePlatform => (p === 'darwin' || p === 'win32' ? p : 'linux');

/** bin/lava-desktop.js of this copy. */
const BIN = packagePath('bin', 'lava-desktop.js');

export async function service(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(SERVICE_HELP);
    return sub === undefined ? 2 : 0;
  }
  const platform = platformOf(process.platform);
  const file = serviceFile(platform, homedir());
  if (sub === 'install') return install(rest, platform, file);
  if (sub === 'uninstall') return uninstall(rest, platform, file);
  if (sub === 'status') return status(rest, platform, file);
  throw new UsageError(`service: unknown subcommand "${sub}" (install, uninstall, status)`);
}

/** The manager to use, or why none is (the env says so, or it does not answer here). */
async function usableManager(platform: ServicePlatform): Promise<Manager | string> {
  const m = managerFor(platform);
  if (!m) return 'LAVA_DESKTOP_SERVICE_MANAGER=none';
  const ok = await m.available();
  return ok === true ? m : ok;
}

function specOf(values: { port?: string; 'data-dir'?: string; config?: string }, platform: ServicePlatform) {
  // The service does not see this shell's environment: a data dir chosen by env is written down.
  const dir = values['data-dir'] ?? process.env.LAVA_DESKTOP_DATA_DIR;
  const spec: ServiceSpec = {
    node: process.execPath,
    bin: BIN,
    dataDir: dir === undefined ? undefined : resolve(dir),
    port: intFlag(values.port, 'port', 1, 65535),
    config: values.config === undefined ? undefined : resolve(values.config),
    logFile: '',
    user: platform === 'win32' ? windowsUser() : undefined,
  };
  spec.logFile = join(spec.dataDir ?? defaultDataDir(process.env, platform), 'service.log');
  return spec;
}

const windowsUser = (): string =>
  process.env.USERDOMAIN ? `${process.env.USERDOMAIN}\\${userInfo().username}` : userInfo().username;

async function install(argv: string[], platform: ServicePlatform, file: string): Promise<number> {
  const opts = {
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    'dry-run': { type: 'boolean' },
  } as const;
  const { values } = parse(argv, opts, 'service install');
  if (values.help) return help();
  const spec = specOf(values, platform);
  const text = unitFor(platform, spec);
  if (values['dry-run']) {
    console.log(`would write ${file}:\n\n${text}`);
    return 0;
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, unitBytes(platform, text), { mode: 0o644 });
  await ensureDataDir(dirname(spec.logFile));
  console.log(`wrote ${file}`);
  if (/[\\/]_npx[\\/]/.test(BIN))
    console.log(`note: this copy runs from npx's cache, which npm may clean; "npm install -g lava-desktop" lasts`);
  warnIfRunning(dirname(spec.logFile));
  const m = await usableManager(platform);
  if (typeof m === 'string') {
    console.log(`written; not started (${m}); start it with: ${startHint(platform, file)}`);
    return 0;
  }
  try {
    await m.install(file);
  } catch (e) {
    if (e instanceof ServiceError) throw new Error(`written, but ${m.name} refused: ${e.message}`);
    throw e;
  }
  console.log(`started with ${m.name}: ${await m.state()}; it starts again at login`);
  return 0;
}

/** A gateway already on the data dir (the desktop app, a serve) keeps the service from starting. */
function warnIfRunning(dir: string): void {
  const info = readGatewayInfo(dir);
  if (info && isAlive(info.pid))
    console.log(`note: a gateway already runs on ${dir} (pid ${info.pid}); the service starts once it stops`);
}

async function uninstall(argv: string[], platform: ServicePlatform, file: string): Promise<number> {
  const { values } = parse(argv, {}, 'service uninstall');
  if (values.help) return help();
  const m = await usableManager(platform);
  if (typeof m !== 'string') await m.uninstall();
  const had = existsSync(file);
  await rm(file, { force: true });
  if (typeof m !== 'string') await m.forget();
  console.log(had ? `removed ${file}` : `not installed (no ${file})`);
  return 0;
}

async function status(argv: string[], platform: ServicePlatform, file: string): Promise<number> {
  const opts = { 'data-dir': { type: 'string' }, json: { type: 'boolean' } } as const;
  const { values } = parse(argv, opts, 'service status');
  if (values.help) return help();
  const installed = existsSync(file);
  const m = await usableManager(platform);
  const manager = typeof m === 'string' ? `none (${m})` : `${m.name}: ${await m.state()}`;
  const gateway = await gatewayState(resolve(values['data-dir'] ?? defaultDataDir()));
  if (values.json) console.log(JSON.stringify({ installed, file, manager, gateway }, null, 2));
  else {
    console.log(`service: ${installed ? 'installed' : 'not installed'} (${file})`);
    console.log(`manager: ${manager}`);
    console.log(`gateway: ${gateway.answering ? `answering on ${gateway.url} (pid ${gateway.pid})` : gateway.reason}`);
  }
  return installed ? 0 : 1;
}

/** Whether a gateway answers on the data dir: gateway.json, a live pid and /healthz. */
async function gatewayState(dir: string) {
  const info = readGatewayInfo(dir);
  if (!info || !isAlive(info.pid)) return { answering: false, reason: `not running on ${dir}` };
  try {
    const res = await fetch(`${info.url}/healthz`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) return { answering: true, url: info.url, pid: info.pid };
    return { answering: false, reason: `${info.url} answers HTTP ${res.status}` };
  } catch (e) {
    return { answering: false, reason: `${info.url} does not answer (${(e as Error).message})` };
  }
}

function help(): number {
  console.log(SERVICE_HELP);
  return 0;
}
