/**
 * `lava-desktop service`, the real binary in a temporary HOME: install --dry-run prints the unit and
 * writes nothing, install writes it, status reports it (and a gateway that answers), uninstall
 * removes it. The machine's service manager is never used: LAVA_DESKTOP_SERVICE_MANAGER=none, or
 * (Linux) a fake `systemctl` first on PATH that records what it was asked.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { systemdWord } from '../../src/service/units.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const linux = process.platform === 'linux';

let home: string;
let h: Harness;
const UNIT = () => join(home, '.config', 'systemd', 'user', 'lava-desktop.service');

function run(args: string[], env: NodeJS.ProcessEnv = { LAVA_DESKTOP_SERVICE_MANAGER: 'none' }) {
  const base: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home };
  delete base.LAVA_DESKTOP_SERVICE_MANAGER;
  delete base.LAVA_DESKTOP_DATA_DIR;
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
    execFile(process.execPath, [BIN, 'service', ...args], { env: { ...base, ...env } }, (e, stdout, stderr) =>
      done({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'lava home '));
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  await rm(home, { recursive: true, force: true });
});

describe.skipIf(!linux)('service on Linux, manager left alone', () => {
  const dataDir = () => join(home, 'my data');

  it('install --dry-run prints the unit and writes nothing', async () => {
    const r = await run(['install', '--dry-run', '--data-dir', dataDir(), '--port', '5999']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`would write ${UNIT()}:`);
    const exec = [process.execPath, BIN, 'serve', '--port', '5999', '--data-dir', dataDir()].map(systemdWord).join(' ');
    expect(r.stdout).toContain(`\nExecStart=${exec}\n`);
    expect(exec).toContain(`"${home}/my data"`);
    expect(existsSync(UNIT())).toBe(false);
  });

  it('install writes the unit under HOME and says how to start it; status reports it; uninstall removes it', async () => {
    const dry = await run(['install', '--dry-run', '--data-dir', dataDir()]);
    const r = await run(['install', '--data-dir', dataDir()]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`wrote ${UNIT()}`);
    expect(r.stdout).toContain(
      'written; not started (LAVA_DESKTOP_SERVICE_MANAGER=none); start it with: systemctl --user daemon-reload && systemctl --user enable --now lava-desktop.service',
    );
    expect(dry.stdout).toContain(await readFile(UNIT(), 'utf8'));
    expect(existsSync(dataDir())).toBe(true);

    const st = await run(['status', '--data-dir', dataDir()]);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`service: installed (${UNIT()})`);
    expect(st.stdout).toContain('manager: none (LAVA_DESKTOP_SERVICE_MANAGER=none)');
    expect(st.stdout).toContain(`gateway: not running on ${dataDir()}`);

    const un = await run(['uninstall']);
    expect(un).toMatchObject({ code: 0, stdout: `removed ${UNIT()}\n` });
    expect(existsSync(UNIT())).toBe(false);
    expect((await run(['uninstall'])).stdout).toContain('not installed');
    const after = await run(['status', '--json', '--data-dir', dataDir()]);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ installed: false, file: UNIT() });
  });

  it('status says whether a gateway answers on the data dir', async () => {
    const st = await run(['status', '--json', '--data-dir', h.dataDir]);
    expect(JSON.parse(st.stdout).gateway).toEqual({ answering: true, url: h.gw.url, pid: process.pid });
  });

  it('bad input is one line with exit 2; --help names the env var', async () => {
    expect(await run(['restart'])).toMatchObject({ code: 2, stdout: '' });
    expect((await run(['install', '--port', 'x'])).stderr.trim().split('\n')).toHaveLength(1);
    expect((await run(['--help'])).stdout).toContain('LAVA_DESKTOP_SERVICE_MANAGER=none');
  });
});

describe.skipIf(!linux)('service on Linux with systemctl (a fake one on PATH)', () => {
  let fake: string;
  const log = () => join(fake, 'calls.txt');
  /** A `systemctl` that writes down its arguments; `is-system-running` answers `state`. */
  async function fakeSystemctl(state: string) {
    fake = await mkdtemp(join(tmpdir(), 'lava-fake-'));
    const script = `#!/bin/sh
echo "$*" >> "${log()}"
case "$2" in
  is-system-running) echo ${state}; [ ${state} = running ];;
  is-enabled) echo enabled;;
  is-active) echo active;;
esac
`;
    await writeFile(join(fake, 'systemctl'), script);
    await chmod(join(fake, 'systemctl'), 0o755);
    return { PATH: `${fake}${delimiter}${process.env.PATH}` };
  }

  it('where a user manager answers: daemon-reload and enable --now; uninstall disables it', async () => {
    const env = await fakeSystemctl('running');
    const r = await run(['install'], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('started with systemd (user): enabled, active');
    expect(await readFile(log(), 'utf8')).toBe(
      '--user is-system-running\n--user daemon-reload\n--user enable --now lava-desktop.service\n' +
        '--user is-enabled lava-desktop.service\n--user is-active lava-desktop.service\n',
    );
    expect((await run(['status', '--data-dir', h.dataDir], env)).stdout).toContain(
      'manager: systemd (user): enabled, active',
    );
    await rm(log());
    expect((await run(['uninstall'], env)).code).toBe(0);
    expect(await readFile(log(), 'utf8')).toBe(
      '--user is-system-running\n--user disable --now lava-desktop.service\n--user daemon-reload\n',
    );
    expect(existsSync(UNIT())).toBe(false);
    await rm(fake, { recursive: true, force: true });
  });

  it('where none answers (a container): written, not started, exit 0', async () => {
    const env = await fakeSystemctl('offline');
    const r = await run(['install'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('written; not started (no systemd user manager answers (offline)); start it with:');
    expect(await readFile(log(), 'utf8')).toBe('--user is-system-running\n');
    expect(existsSync(UNIT())).toBe(true);
    await run(['uninstall'], env);
    await rm(fake, { recursive: true, force: true });
  });
});
