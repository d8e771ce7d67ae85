/** The package version, read once from the nearest package.json of this package (works from src/ and dist/src/). */
import { readFileSync } from 'node:fs';

function findVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lava-desktop' && pkg.version) return pkg.version;
    } catch {
      // not here: look one folder up
    }
  }
  return '0.0.0';
}

export const VERSION = findVersion();
