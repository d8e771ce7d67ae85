/** The lowdb store: segments, rollups, paging, crash reconciliation, corrupt files, retention. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { SEGMENT_MAX, segName } from '../../src/store/segments.js';
import { rec } from './fixtures.js';

let dir: string;
const logs: string[] = [];
const open = (retentionDays = 365) => LowdbStore.open({ dataDir: dir, retentionDays, log: (m) => logs.push(m) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lava-store-'));
  logs.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('LowdbStore', () => {
  it('appends, lists newest first with cursors, gets by id, rolls up by hour', async () => {
    const s = await open();
    const now = new Date();
    const all = Array.from({ length: 25 }, (_, i) => rec(new Date(now.getTime() - (25 - i) * 1000), i));
    for (const r of all) s.append(r);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await s.list({ cursor, limit: 7 });
      ids.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(all.map((r) => r.id).reverse());
    expect((await s.get(all[3]!.id))?.id).toBe(all[3]!.id);
    const rows = await s.rollups(new Date(now.getTime() - 3_600_000 * 2), new Date(now.getTime() + 3_600_000));
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(25);
    expect(rows.reduce((n, r) => n + r.cost, 0)).toBeCloseTo(25 * 0.00001, 12);
    await s.close();
    const again = await open();
    expect((await again.list({ limit: 100 })).data).toHaveLength(25);
    await again.close();
  });

  it('rotates segments at SEGMENT_MAX and never leaves .json temp files', async () => {
    const s = await open();
    const t = new Date();
    for (let i = 0; i < SEGMENT_MAX + 5; i++) s.append(rec(t, i));
    await s.close();
    const day = t.toISOString().slice(0, 10);
    const files = await readdir(join(dir, 'requests', day));
    expect(files.sort()).toEqual([segName(1), segName(2)]);
    expect((await readdir(join(dir, 'rollups'))).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });

  it('replays records the rollups missed (crash between the segment and rollup writes)', async () => {
    const t = new Date();
    const s = await open();
    for (let i = 0; i < 3; i++) s.append(rec(t, i));
    await s.close();
    // Simulate a crash after a later flush wrote a new segment but not the month file.
    const day = t.toISOString().slice(0, 10);
    const extra = [rec(t, 10), rec(t, 11)];
    await writeFile(join(dir, 'requests', day, segName(2)), JSON.stringify({ v: 1, records: extra }));
    const s2 = await open();
    const rows = await s2.rollups(new Date(t.getTime() - 3_600_000), new Date(t.getTime() + 3_600_000));
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(5);
    expect(logs.some((l) => l.includes('2 records replayed'))).toBe(true);
    await s2.close();
    // …and only once: a second start replays nothing.
    const s3 = await open();
    const rows3 = await s3.rollups(new Date(t.getTime() - 3_600_000), new Date(t.getTime() + 3_600_000));
    expect(rows3.reduce((n, r) => n + r.requests, 0)).toBe(5);
    await s3.close();
  });

  it('moves a corrupt segment aside with a message and keeps working', async () => {
    const t = new Date();
    const day = t.toISOString().slice(0, 10);
    await mkdir(join(dir, 'requests', day), { recursive: true });
    await writeFile(join(dir, 'requests', day, segName(1)), '{"v":1,"records":[{"id":');
    const s = await open();
    const page = await s.list({ limit: 10 });
    expect(page.data).toEqual([]);
    expect(logs.some((l) => l.includes('moved it aside'))).toBe(true);
    const aside = (await readdir(join(dir, 'requests', day))).find((f) => f.includes('.corrupt-'));
    expect(await readFile(join(dir, 'requests', day, aside!), 'utf8')).toBe('{"v":1,"records":[{"id":');
    s.append(rec(t, 1));
    await s.close();
    expect(existsSync(join(dir, 'requests', day, segName(2)))).toBe(true);
  });

  it('deletes day folders past retention, keeping rollups', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    const s = await open();
    s.append(rec(old, 1));
    s.append(rec(new Date(), 2));
    await s.close();
    const s2 = await open(30);
    const days = await readdir(join(dir, 'requests'));
    expect(days).toEqual([new Date().toISOString().slice(0, 10)]);
    const rows = await s2.rollups(new Date(old.getTime() - 3_600_000), new Date(Date.now() + 3_600_000));
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(2);
    await s2.close();
  });
});
