/**
 * The store under write faults (issue 10): a failed write is transient, resumes by itself, keeps
 * every record and every edit, shows its health, and saves what it cannot write at close. The
 * fault is real: the `requests` folder is replaced by a plain file, so every segment write fails
 * (ENOTDIR) until it is put back (works as root too, where permissions would not stop a write).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, stat, mkdir, chmod } from 'node:fs/promises';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { SEGMENT_MAX } from '../../src/store/segments.js';
import type { StoreHealth } from '../../src/store/types.js';
import { ensureDataDir } from '../../src/data-dir.js';
import { rec } from './fixtures.js';

let dir: string;
const logs: string[] = [];
const health: StoreHealth[] = [];
const open = (extra: { maxUnwritten?: number } = {}) =>
  LowdbStore.open({
    dataDir: dir,
    retentionDays: 365,
    log: (m) => logs.push(m),
    onHealth: (h) => health.push(h),
    ...extra,
  });

/** Every segment write fails from now on (the folder became a file) … */
function breakDisk(): void {
  renameSync(join(dir, 'requests'), join(dir, 'requests.away'));
  writeFileSync(join(dir, 'requests'), 'not a folder');
}
/** … until the folder is back. */
function mendDisk(): void {
  rmSync(join(dir, 'requests'));
  renameSync(join(dir, 'requests.away'), join(dir, 'requests'));
}
const until = async (cond: () => boolean, ms = 10_000) => {
  for (const t0 = Date.now(); !cond();) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};
const total = async (s: LowdbStore) => (await s.list({ limit: 100_000 })).data.length;
const rolledUp = async (s: LowdbStore) =>
  (await s.rollups(new Date(Date.now() - 86_400_000), new Date(Date.now() + 3_600_000))).reduce(
    (n, r) => n + r.requests,
    0,
  );

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lava-store-faults-'));
  logs.length = 0;
  health.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('write faults', () => {
  it('a failed write is transient: the store says degraded, keeps the records, and resumes by itself', async () => {
    const s = await open();
    for (let i = 0; i < 3; i++) s.append(rec(new Date(), i));
    await s.flush();
    breakDisk();
    for (let i = 0; i < 5; i++) s.append(rec(new Date(), 10 + i));
    await expect(s.flush()).rejects.toThrow();
    expect(s.health()).toMatchObject({ state: 'degraded', unwritten: 5 });
    expect(s.health().error).toMatch(/^E[A-Z]+: /);
    expect(health.at(-1)?.state).toBe('degraded');
    await expect(s.flush()).rejects.toThrow(); // and still failing while the fault lasts…
    mendDisk();
    await until(() => s.health().state === 'ok'); // …then the retry timer writes them, unasked
    expect(s.health()).toMatchObject({ state: 'ok', unwritten: 0, lost: 0 });
    expect(health.at(-1)?.state).toBe('ok');
    await s.close();
    const again = await open();
    expect(await total(again)).toBe(8);
    expect(await rolledUp(again)).toBe(8);
    await again.close();
  });

  it('an edit of a closed segment made while writes fail is written once they work', async () => {
    const s = await open();
    const t = new Date();
    const all = Array.from({ length: SEGMENT_MAX + 2 }, (_, i) => rec(t, i));
    for (const r of all) s.append(r);
    await s.flush();
    await s.update(all[0]!.id, { sync: 'synced', cost: '0.5000000000', costSource: 'lava' });
    breakDisk(); // before the coalesced write of the edit runs
    await expect(s.flush()).rejects.toThrow();
    mendDisk();
    await s.flush();
    await s.close();
    const again = await open();
    expect(await again.get(all[0]!.id)).toMatchObject({ sync: 'synced', cost: '0.5000000000', costSource: 'lava' });
    await again.close();
  });

  it('a folder that cannot be listed is an error at start, never an empty history', async () => {
    await mkdir(join(dir, 'requests', new Date().toISOString().slice(0, 10)), { recursive: true });
    const s = await open();
    s.append(rec(new Date(), 1));
    await s.close();
    renameSync(join(dir, 'requests'), join(dir, 'requests.away'));
    writeFileSync(join(dir, 'requests'), 'x');
    await expect(open()).rejects.toThrow(/ENOTDIR/);
  });

  it('records that cannot be written at close are saved aside and stored by the next start', async () => {
    const s = await open();
    s.append(rec(new Date(), 1));
    await s.flush();
    breakDisk();
    for (let i = 0; i < 4; i++) s.append(rec(new Date(), 20 + i));
    const result = await s.close();
    expect(result.unwritten).toBe(4);
    expect(result.savedTo).toMatch(/lava-desktop-unsaved-.*\.json$/);
    expect(existsSync(result.savedTo!)).toBe(true);
    mendDisk();
    const again = await open();
    expect(await total(again)).toBe(5);
    expect(await rolledUp(again)).toBe(5);
    expect(existsSync(result.savedTo!), 'rescue file removed once stored').toBe(false);
    expect(logs.some((l) => l.includes('stored 4 records that the last run could not write'))).toBe(true);
    await again.close();
    const third = await open();
    expect(await total(third)).toBe(5); // stored once, not on every start
    await third.close();
  });

  it('keeps a bounded number of unwritten records and counts the ones it had to drop', async () => {
    const s = await open({ maxUnwritten: 10 });
    s.append(rec(new Date(), 0));
    await s.flush();
    breakDisk();
    s.append(rec(new Date(), 1));
    await expect(s.flush()).rejects.toThrow();
    for (let i = 0; i < 14; i++) s.append(rec(new Date(), 2 + i));
    expect(s.health()).toMatchObject({ state: 'degraded', unwritten: 10, lost: 5 });
    mendDisk();
    await until(() => s.health().state === 'ok');
    await s.close();
    const again = await open();
    expect(await total(again)).toBe(11);
    await again.close();
  });
});

describe('numbering and loading', () => {
  it('a new segment of an older day never takes a number that day already has on disk', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000);
    const s = await open();
    for (const n of [2, 1, 0]) s.append(rec(day(n), n)); // segments 1–3 on the newest three days
    await s.flush();
    const oldA = rec(day(10), 10, { responseId: 'old-A' });
    s.append(oldA); // an older day (a record synced from elsewhere): segment 4
    await s.close();
    const again = await open(); // numbers come from the newest three days: 4 is free there
    const oldB = rec(new Date(day(10).getTime() + 1000), 11, { responseId: 'old-B' });
    again.append(oldB);
    await again.close();
    const third = await open();
    const ids = (await third.recordsOfDay(day(10).toISOString().slice(0, 10))).map((r) => r.responseId);
    expect(ids).toEqual(['old-A', 'old-B']);
    await third.close();
  });

  it('a rollup file that cannot be read holds that day’s records back, then counts each once', async () => {
    const old = new Date(Date.now() - 5 * 86_400_000);
    const dayStr = old.toISOString().slice(0, 10);
    const s = await open();
    s.append(rec(new Date(), 0));
    await s.flush();
    await mkdir(join(dir, 'rollups', `${dayStr}.json`)); // a folder where the file should be: EISDIR
    for (let i = 0; i < 3; i++) s.append(rec(new Date(old.getTime() + i * 1000), i));
    await until(() => s.health().state === 'degraded');
    expect(s.health().unwritten).toBe(3);
    await rm(join(dir, 'rollups', `${dayStr}.json`), { recursive: true });
    await until(() => s.health().state === 'ok');
    const rows = await s.rollups(new Date(old.getTime() - 3_600_000), new Date(old.getTime() + 3_600_000));
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(3);
    await s.close();
    const again = await open();
    const rows2 = await again.rollups(new Date(old.getTime() - 3_600_000), new Date(old.getTime() + 3_600_000));
    expect(rows2.reduce((n, r) => n + r.requests, 0)).toBe(3);
    await again.close();
  });

  it('an unsaved-records file that others could have written, or that holds no records, is not trusted', async () => {
    const s = await open();
    s.append(rec(new Date(), 0));
    await s.close();
    const { writeFile: write } = await import('node:fs/promises');
    const body = (records: unknown[]) =>
      JSON.stringify({ v: 1, kind: 'lava-desktop-unsaved', dataDir: dir, savedAt: '', records });
    await write(join(dir, 'lava-desktop-unsaved-planted.json'), body([rec(new Date(), 5)]), { mode: 0o666 });
    await chmod(join(dir, 'lava-desktop-unsaved-planted.json'), 0o666);
    await write(join(dir, 'lava-desktop-unsaved-junk.json'), body([{ id: 1 }, null, 'x']), { mode: 0o600 });
    const again = await open(); // starts, whatever those files hold
    expect(await total(again)).toBe(1);
    await again.close();
  });
});

describe('files', () => {
  it('data files are 0600, temp files never end in .json, and an open data dir is closed to others', async () => {
    await chmod(dir, 0o755);
    await ensureDataDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const s = await open();
    s.append(rec(new Date(), 1));
    await s.close();
    const files = await readdir(dir, { recursive: true, withFileTypes: true });
    const data = files.filter((f) => f.isFile());
    expect(data.length).toBeGreaterThanOrEqual(2);
    for (const f of data) {
      expect(f.name.endsWith('.tmp')).toBe(false);
      expect((await stat(join(f.parentPath, f.name))).mode & 0o777).toBe(0o600);
    }
  });
});
