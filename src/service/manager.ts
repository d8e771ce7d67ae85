/**
 * The OS's service manager, asked through its own command (systemctl --user, launchctl, schtasks)
 * with execFile — an argument list, never a shell string — and a timeout. Each says whether it
 * answers here (containers and CI have no systemd user manager), installs and starts the
 * service, stops and forgets it, and tells its state.
 */
import { execFile } from 'node:child_process';
import { LAUNCHD_LABEL, SERVICE_NAME, TASK_NAME, type ServicePlatform } from './units.js';

export interface RunResult {
  ok: boolean;
  /** The command is not on PATH. */
  missing: boolean;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (e, stdout, stderr) =>
      done({
        ok: !e,
        missing: (e as NodeJS.ErrnoException | null)?.code === 'ENOENT',
        stdout: String(stdout),
        stderr: String(stderr),
      }),
    );
  });
}

/** A manager command that failed: one line naming it and what it said. */
export class ServiceError extends Error {
  override name = 'ServiceError';
}

const firstLine = (r: RunResult): string => (r.stderr.trim() || r.stdout.trim()).split('\n')[0] || 'failed';

async function must(cmd: string, args: string[]): Promise<RunResult> {
  const r = await run(cmd, args);
  if (!r.ok) throw new ServiceError(`${cmd} ${args.join(' ')}: ${r.missing ? 'not found' : firstLine(r)}`);
  return r;
}

export interface Manager {
  name: string;
  /** True when it answers here, else why not. */
  available(): Promise<true | string>;
  /** Loads the written file, enables it at login and starts it now. */
  install(file: string): Promise<void>;
  /** Stops and disables it (best effort: it may not be loaded). */
  uninstall(): Promise<void>;
  /** After the file is removed. */
  forget(): Promise<void>;
  /** Its state in words ("enabled, active"). */
  state(): Promise<string>;
  /** The commands a user runs to start it by hand. */
  startHint(file: string): string;
}

const systemd: Manager = {
  name: 'systemd (user)',
  async available() {
    const r = await run('systemctl', ['--user', 'is-system-running'], 5000);
    if (r.missing) return 'systemctl is not on PATH';
    const state = r.stdout.trim();
    if (['running', 'degraded', 'starting', 'initializing', 'maintenance'].includes(state)) return true;
    return `no systemd user manager answers (${firstLine(r)})`;
  },
  async install() {
    await must('systemctl', ['--user', 'daemon-reload']);
    await must('systemctl', ['--user', 'enable', '--now', SERVICE_NAME]);
  },
  async uninstall() {
    await run('systemctl', ['--user', 'disable', '--now', SERVICE_NAME]);
  },
  async forget() {
    await run('systemctl', ['--user', 'daemon-reload']);
  },
  async state() {
    const enabled = (await run('systemctl', ['--user', 'is-enabled', SERVICE_NAME])).stdout.trim() || 'unknown';
    const active = (await run('systemctl', ['--user', 'is-active', SERVICE_NAME])).stdout.trim() || 'unknown';
    return `${enabled}, ${active}`;
  },
  startHint: () => `systemctl --user daemon-reload && systemctl --user enable --now ${SERVICE_NAME}`,
};

const gui = (): string => `gui/${process.getuid?.() ?? 0}`;

const launchd: Manager = {
  name: 'launchd',
  async available() {
    const r = await run('launchctl', ['print', gui()], 5000);
    if (r.missing) return 'launchctl is not on PATH';
    return r.ok || `no login session for ${gui()} (${firstLine(r)})`;
  },
  async install(file) {
    await run('launchctl', ['bootout', `${gui()}/${LAUNCHD_LABEL}`]); // a reinstall: unload the old one first
    await must('launchctl', ['bootstrap', gui(), file]);
  },
  async uninstall() {
    await run('launchctl', ['bootout', `${gui()}/${LAUNCHD_LABEL}`]);
  },
  async forget() {},
  async state() {
    const r = await run('launchctl', ['print', `${gui()}/${LAUNCHD_LABEL}`]);
    if (!r.ok) return 'not loaded';
    return `loaded, ${/^\s*state = (.+)$/m.exec(r.stdout)?.[1]?.trim() ?? 'unknown'}`;
  },
  startHint: (file) => `launchctl bootstrap ${gui()} '${file.replace(/'/g, `'\\''`)}'`,
};

const schtasks: Manager = {
  name: 'Task Scheduler',
  async available() {
    const r = await run('schtasks', ['/Query', '/TN', '\\Microsoft'], 5000);
    return r.missing ? 'schtasks is not on PATH' : true;
  },
  async install(file) {
    await must('schtasks', ['/Create', '/TN', TASK_NAME, '/XML', file, '/F']);
    await must('schtasks', ['/Run', '/TN', TASK_NAME]);
  },
  async uninstall() {
    await run('schtasks', ['/End', '/TN', TASK_NAME]);
    await run('schtasks', ['/Delete', '/TN', TASK_NAME, '/F']);
  },
  async forget() {},
  async state() {
    const r = await run('schtasks', ['/Query', '/TN', TASK_NAME, '/FO', 'LIST']);
    if (!r.ok) return 'not registered';
    return `registered, ${/^Status:\s*(.+)$/m.exec(r.stdout)?.[1]?.trim().toLowerCase() ?? 'unknown'}`;
  },
  startHint: (file) => `schtasks /Create /TN "${TASK_NAME}" /XML "${file}" /F && schtasks /Run /TN "${TASK_NAME}"`,
};

/** The manager for this OS; undefined when `LAVA_DESKTOP_SERVICE_MANAGER=none` says to leave it alone. */
export function managerFor(platform: ServicePlatform, env: NodeJS.ProcessEnv = process.env): Manager | undefined {
  if (env.LAVA_DESKTOP_SERVICE_MANAGER === 'none') return undefined;
  return platform === 'darwin' ? launchd : platform === 'win32' ? schtasks : systemd;
}

/** The hint for a platform even when no manager is used. */
export const startHint = (platform: ServicePlatform, file: string): string => managerFor(platform, {})!.startHint(file);
