/**
 * What can be checked of the desktop packaging without downloading Electron: electron-builder
 * validates the config (a bad key fails fast), and a `--linux dir` pack with a stub Electron
 * produces an asar holding the compiled gateway, shell and dashboard — and no tests, sources,
 * source maps or env files.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const BUILDER = join(ROOT, 'node_modules/.bin/electron-builder');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lava-pack-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('electron-builder', () => {
  it('refuses an invalid configuration key before any download', async () => {
    const err = await run(
      BUILDER,
      ['--linux', 'dir', '-c.notARealOption=1', `-c.directories.output=${join(dir, 'bad')}`],
      { cwd: ROOT },
    ).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).not.toBe(0);
    expect((err as { stderr: string }).stderr + (err as { stdout?: string }).stdout).toMatch(
      /notARealOption|configuration/i,
    );
  }, 60_000);

  it('packs only the built app into the asar', async () => {
    const stub = join(dir, 'electron-stub');
    await run('mkdir', ['-p', stub]);
    await writeFile(join(stub, 'electron'), '#!/bin/sh\necho stub\n');
    await chmod(join(stub, 'electron'), 0o755);
    await run(BUILDER, ['--linux', 'dir', `-c.electronDist=${stub}`, `-c.directories.output=${join(dir, 'out')}`], {
      cwd: ROOT,
    });
    const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(p: string): string[] };
    const files = asar
      .listPackage(join(dir, 'out/linux-unpacked/resources/app.asar'))
      .filter((f) => !f.startsWith('/node_modules'));
    for (const needed of [
      '/package.json',
      '/dist/electron/main.js',
      '/dist/electron/preload.cjs',
      '/dist/src/index.js',
      '/dist/renderer/index.html',
      '/electron/assets/tray-running.png',
    ]) {
      expect(files, needed).toContain(needed);
    }
    const forbidden = files.filter((f) =>
      /\.(ts|tsx|cts|map)$|^\/(test|src|renderer|bench|scripts)\/|\.env|secrets\.(json|enc)$/.test(f),
    );
    expect(forbidden).toEqual([]);
    const pkg = JSON.parse(
      (createRequire(import.meta.url)('@electron/asar') as { extractFile(a: string, f: string): Buffer })
        .extractFile(join(dir, 'out/linux-unpacked/resources/app.asar'), 'package.json')
        .toString(),
    ) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.js');
  }, 120_000);
});
