/**
 * One lowdb instance per file (two on one file corrupt it: they share steno's temp name).
 * Writes are atomic (temp file `.name.json.tmp` + rename), so a kill -9 leaves the old or the
 * new file, both parseable. A file that does not parse or is not ours is moved aside, never
 * overwritten, and the move is reported.
 */
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { rename } from 'node:fs/promises';

export type Log = (message: string) => void;

export async function openJsonFile<T>(
  file: string,
  fallback: () => T,
  isValid: (v: unknown) => v is T,
  log: Log,
): Promise<Low<T>> {
  const db = new Low<T>(new DataFile<T>(file, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) }), fallback());
  try {
    await db.read();
    if (!isValid(db.data)) throw new SyntaxError('not a Lava Desktop file of the expected shape');
  } catch (e) {
    await moveAside(file, (e as Error).message, log);
    db.data = fallback();
  }
  return db;
}

export async function moveAside(file: string, why: string, log: Log): Promise<void> {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(file, aside);
    log(`store: ${file} could not be read (${why}); moved it aside to ${aside} and started it afresh`);
  } catch {
    log(`store: ${file} could not be read (${why}) and could not be moved aside`);
  }
}
