/**
 * Records that could not be written by the time the gateway stops (the disk is still full, the
 * data dir became read-only) are saved to a rescue file instead of being lost: in the data dir
 * if it takes them, else in the OS temp folder. The next start on that data dir finds the file,
 * stores its records and removes it once they are on disk.
 */
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isNotFound, writeAtomic, type Log } from './json-file.js';
import type { RequestRecord } from './types.js';

interface RescueFile {
  v: 1;
  kind: 'lava-desktop-unsaved';
  dataDir: string;
  savedAt: string;
  records: RequestRecord[];
}

const PREFIX = 'lava-desktop-unsaved-';

/** Saves records; returns the file they went to, or throws when no place takes them. */
export async function saveRescue(dataDir: string, records: RequestRecord[]): Promise<string> {
  const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  const body: RescueFile = {
    v: 1,
    kind: 'lava-desktop-unsaved',
    dataDir: resolve(dataDir),
    savedAt: new Date().toISOString(),
    records,
  };
  const text = JSON.stringify(body);
  let last: unknown;
  for (const dir of [dataDir, tmpdir()]) {
    const file = join(dir, `${PREFIX}${stamp}.json`);
    try {
      await writeAtomic(file, text);
      return file;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

export interface FoundRescue {
  file: string;
  records: RequestRecord[];
}

/** Rescue files left for this data dir (in it, or in the temp folder). */
export async function findRescues(dataDir: string, log: Log): Promise<FoundRescue[]> {
  const own = resolve(dataDir);
  const out: FoundRescue[] = [];
  for (const dir of new Set([dataDir, tmpdir()])) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (isNotFound(e)) continue;
      throw e;
    }
    for (const name of names.filter((n) => n.startsWith(PREFIX) && n.endsWith('.json'))) {
      const file = join(dir, name);
      try {
        // The temp folder is shared: only a file this user wrote, and nobody else can change, is trusted.
        if (!(await ownedPrivately(file))) continue;
        const body = JSON.parse(await readFile(file, 'utf8')) as Partial<RescueFile>;
        if (body.kind !== 'lava-desktop-unsaved' || body.dataDir !== own || !Array.isArray(body.records)) continue;
        out.push({ file, records: body.records.filter(isRecord) });
      } catch (e) {
        log(`store: cannot read the unsaved-records file ${file}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}

export const removeRescue = (file: string): Promise<void> => rm(file, { force: true });

async function ownedPrivately(file: string): Promise<boolean> {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
  const st = await stat(file);
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** Enough of a record to store it (a hand-edited or foreign file must not break the start). */
const isRecord = (r: unknown): r is RequestRecord => {
  const x = r as Partial<RequestRecord> | null;
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof x.id === 'string' &&
    typeof x.startedAt === 'string' &&
    !Number.isNaN(Date.parse(x.startedAt)) &&
    typeof x.provider === 'string' &&
    typeof x.status === 'number'
  );
};

/** What storing rescued records needs of the store. */
export interface RescueTarget {
  get(id: string): Promise<RequestRecord | undefined>;
  update(id: string, patch: Partial<RequestRecord>): Promise<unknown>;
  append(r: RequestRecord): void;
  /** Writes everything (rollup loads under way included); rejects when the write failed. */
  flush(): Promise<void>;
}

/**
 * Stores the records a previous run could not write and saved aside, then removes their files.
 * A problem with them is logged and never stops the start (the files stay for a later one).
 */
export async function importRescued(store: RescueTarget, dataDir: string, log: Log): Promise<void> {
  let found: FoundRescue[];
  try {
    found = await findRescues(dataDir, log);
  } catch (e) {
    log(`store: cannot look for unsaved records: ${(e as Error).message}`);
    return;
  }
  if (found.length === 0) return;
  let n = 0;
  try {
    for (const { records } of found) {
      for (const r of records) {
        // Segments are saved whole: records already on disk come back as (possibly edited) copies.
        if (await store.get(r.id)) await store.update(r.id, r);
        else {
          store.append(r);
          n++;
        }
      }
    }
    await store.flush();
  } catch {
    return; // still in memory, and the files stay until a later start has them on disk
  }
  for (const { file } of found) await removeRescue(file).catch(() => undefined);
  log(`store: stored ${n} records that the last run could not write (from ${found.map((f) => f.file).join(', ')})`);
}
