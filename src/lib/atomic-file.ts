/**
 * Atomic file writes: a unique temp file `.<name>.<pid>.<n>.tmp` (never ending in `.json`, never
 * shared with another process or another write) renamed over the file, so a crash leaves the old
 * or the new content; a failed write removes its temp file (a full disk gets its space back).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const isNotFound = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

let tmpSeq = 0;

export async function writeAtomic(file: string, text: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${++tmpSeq}.tmp`);
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
