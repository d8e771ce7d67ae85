/**
 * The data dir's JSON files, one lowdb instance per file, written through our own adapter:
 * - atomic: a temp file `.<name>.<pid>.<n>.tmp` (never ending in `.json`, never shared with
 *   another process or another write) renamed over the file, so a kill -9 leaves the old or the
 *   new file, both parseable; a failed write removes its temp file (a full disk gets its space back);
 * - private: files are created 0600 (they hold prompts with `capture.bodies`, and spend);
 * - ordered: writes of one file are serialised and each writes the data as it was when asked, so
 *   an older snapshot never lands after a newer one.
 * A failed write rejects that write only; the next one is tried afresh. Reading: only "not found"
 * means empty; a file that does not parse or is not ours is moved aside (never overwritten), and
 * the move is reported.
 */
import { Low, type Adapter } from 'lowdb';
import { readFile, rename } from 'node:fs/promises';
import { isNotFound, writeAtomic } from '../lib/atomic-file.js';

export type Log = (message: string) => void;
export { isNotFound, writeAtomic };

export class JsonFileAdapter<T> implements Adapter<T> {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly mode = 0o600,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    return JSON.parse(text) as T;
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data); // the data as it is now, whatever happens to it meanwhile
    const run = this.chain.then(() => writeAtomic(this.file, text, this.mode));
    this.chain = run.catch(() => undefined);
    return run;
  }
}

export function newJsonDb<T>(file: string, fallback: T): Low<T> {
  return new Low<T>(new JsonFileAdapter<T>(file), fallback);
}

export interface Opened<T> {
  db: Low<T>;
  /** The file did not parse or was not ours: it was moved aside and the fallback used. */
  recovered: boolean;
}

/** Opens a file; a missing one gives the fallback, other read errors (permissions, I/O) are thrown. */
export async function openJsonFile<T>(
  file: string,
  fallback: () => T,
  isValid: (v: unknown) => v is T,
  log: Log,
): Promise<Low<T>> {
  return (await openJsonFileChecked(file, fallback, isValid, log)).db;
}

export async function openJsonFileChecked<T>(
  file: string,
  fallback: () => T,
  isValid: (v: unknown) => v is T,
  log: Log,
): Promise<Opened<T>> {
  const db = newJsonDb<T>(file, fallback());
  let data: T | null;
  try {
    data = await db.adapter.read();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    await moveAside(file, e.message, log);
    return { db, recovered: true };
  }
  if (data === null) return { db, recovered: false };
  if (!isValid(data)) {
    await moveAside(file, 'not a Lava Desktop file of the expected shape', log);
    return { db, recovered: true };
  }
  db.data = data;
  return { db, recovered: false };
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
