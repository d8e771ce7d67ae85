/**
 * This package's root folder and version, found once from the nearest package.json named
 * lava-desktop above this module: the same answer from src/ (tests), dist/src/ (the library) and
 * dist/cli/ (the bundled command), so paths to bin/ and the dashboard's files never depend on
 * where a module was compiled to.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

function findPackage(): { root: string; version: string } {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lava-desktop' && pkg.version) return { root: fileURLToPath(dir), version: pkg.version };
    } catch {
      // not here: look one folder up
    }
  }
  return { root: fileURLToPath(new URL('../', import.meta.url)), version: '0.0.0' };
}

const found = findPackage();

export const VERSION = found.version;

/** A path inside this package (`packagePath('bin', 'lava-desktop.js')`). */
export const packagePath = (...parts: string[]): string => join(found.root, ...parts);
