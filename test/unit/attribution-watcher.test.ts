/** The session watcher on a temporary HOME with real files and real chokidar: incremental reads, start-up window, lookups. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { SessionWatcher } from '../../src/attribution/watcher.js';
import { TAIL_BYTES } from '../../src/attribution/file-reader.js';
import {
  CLAUDE_CWD,
  CLAUDE_SESSION,
  CODEX_SESSION,
  CODEX_CWD,
  MSG_FEATURE,
  MSG_MAIN,
  claudeFile,
  codexFile,
  fresh,
  linesOf,
  put,
  tempHome,
} from './attribution-fixtures.js';

let home: string;
let w: SessionWatcher | undefined;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
  await rm(home, { recursive: true, force: true });
});

/** Waits until `ok()` holds (the watcher reacts to the file system asynchronously). */
async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SessionWatcher', () => {
  it('reads a transcript written in pieces from its last offset only', async () => {
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    const lines = linesOf(fresh('claude-session.jsonl'));
    const head = lines.slice(0, 2).join('');
    await put(file, head + lines[2]!.slice(0, 150)); // ends mid-line
    w = new SessionWatcher({ home });
    w.start();
    await w.ready();
    expect(w.index.session(CLAUDE_SESSION)).toMatchObject({ project: CLAUDE_CWD, branch: 'main', file });
    expect(w.index.message(MSG_MAIN)).toBeUndefined();
    await appendFile(file, lines[2]!.slice(150));
    await until(() => w!.index.message(MSG_MAIN) !== undefined);
    await appendFile(file, lines.slice(3).join(''));
    await until(() => w!.index.message(MSG_FEATURE) !== undefined);
    await w.ready();
    expect(w.index.session(CLAUDE_SESSION)?.branch).toBe('feature/health');
    // Every byte was read exactly once, however many change events there were.
    expect(w.bytesRead).toBe(statSync(file).size);
  });

  it('starts over when a file shrank', async () => {
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    const text = fresh('claude-session.jsonl');
    await put(file, text);
    w = new SessionWatcher({ home });
    w.start();
    await w.ready();
    const before = w.bytesRead;
    // Rewritten shorter (as by a tool that rewrites its file): read again from the start.
    const other = linesOf(text.replaceAll(CLAUDE_SESSION, 'aaaaaaaa-1111-4222-8333-444444444444'))[1]!;
    await truncate(file, 0);
    await writeFile(file, other);
    await until(() => w!.index.session('aaaaaaaa-1111-4222-8333-444444444444') !== undefined);
    await w.ready();
    expect(w.bytesRead - before).toBe(other.length);
  });

  it('reads at start only files written in the last 48 h; an older one on lookup, from its tail', async () => {
    const recent = claudeFile(home, '/home/dev/recent', CLAUDE_SESSION);
    const oldSession = 'bbbbbbbb-2222-4333-8444-555555555555';
    const old = claudeFile(home, '/home/dev/old', oldSession);
    const text = fresh('claude-session.jsonl');
    await put(recent, text);
    // An old session with a long history: only its end is read.
    const filler = JSON.stringify({ type: 'summary', summary: 'x'.repeat(900) }) + '\n';
    await put(
      old,
      filler.repeat(600) + text.replaceAll(CLAUDE_SESSION, oldSession).replaceAll(CLAUDE_CWD, '/home/dev/old'),
    );
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    await utimes(old, threeDaysAgo, threeDaysAgo);
    w = new SessionWatcher({ home });
    w.start();
    await w.ready();
    expect(w.bytesRead).toBe(text.length);
    expect(w.index.session(oldSession)).toBeUndefined();
    expect(await w.lookup(oldSession)).toBe(true);
    expect(w.index.session(oldSession)).toMatchObject({
      project: '/home/dev/old',
      branch: 'feature/health',
      file: old,
    });
    expect(w.bytesRead).toBe(text.length + TAIL_BYTES);
    expect(await w.lookup(oldSession)).toBe(false); // known now: no second look
    expect(await w.lookup('cccccccc-3333-4444-8555-666666666666')).toBe(false);
    // The old file is appended to (a resumed session): only the new bytes are read.
    const more = linesOf(text.replaceAll(CLAUDE_SESSION, oldSession))[1]!.replace('"main"', '"resumed"');
    await appendFile(old, more);
    await until(() => w!.index.session(oldSession)?.branch === 'resumed');
    expect(w.bytesRead).toBe(text.length + TAIL_BYTES + more.length);
  });

  it("reads a Codex rollout up to its session_meta only, and finds an old one by its id's date", async () => {
    const at = new Date();
    const big = fresh('codex-rollout.jsonl') + `{"type":"event_msg","payload":{"pad":"${'p'.repeat(200_000)}"}}\n`;
    const file = codexFile(home, at, CODEX_SESSION);
    await put(file, big);
    w = new SessionWatcher({ home });
    w.start();
    await w.ready();
    expect(w.index.session(CODEX_SESSION)).toMatchObject({ project: CODEX_CWD, branch: 'fix/rounding', file });
    expect(w.bytesRead).toBeLessThan(70_000); // one 64 KB chunk, not the 200 KB after it
    await appendFile(file, '{"type":"event_msg","payload":{}}\n');
    await new Promise((r) => setTimeout(r, 200));
    await w.ready();
    expect(w.bytesRead).toBeLessThan(70_000);
    // A session from last week (its id is a UUID v7: its first 48 bits are its creation time).
    const lastWeek = new Date(Date.now() - 7 * 86_400_000);
    const hex = lastWeek.getTime().toString(16).padStart(12, '0');
    const id = `${hex.slice(0, 8)}-${hex.slice(8)}-7abc-8def-0123456789ab`;
    const oldFile = codexFile(home, lastWeek, id);
    await put(oldFile, fresh('codex-rollout.jsonl').replaceAll(CODEX_SESSION, id));
    await utimes(oldFile, lastWeek, lastWeek);
    expect(await w.lookup(id)).toBe(true);
    expect(w.index.session(id)).toMatchObject({ kind: 'codex', project: CODEX_CWD, file: oldFile });
  });

  it('never throws on missing dirs, and picks them up when they appear', async () => {
    w = new SessionWatcher({ home, pollMs: 50 });
    w.start();
    await w.ready();
    expect(await w.lookup(CLAUDE_SESSION)).toBe(false);
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    await put(file, fresh('claude-session.jsonl'));
    await until(() => w!.index.message(MSG_FEATURE) !== undefined);
    await put(codexFile(home, new Date(), CODEX_SESSION), fresh('codex-rollout.jsonl'));
    await until(() => w!.index.session(CODEX_SESSION) !== undefined);
  });

  it('start() returns at once and close() stops everything', async () => {
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    await put(file, fresh('claude-session.jsonl'));
    w = new SessionWatcher({ home });
    const t0 = performance.now();
    w.start();
    expect(performance.now() - t0).toBeLessThan(50);
    await w.close();
    await w.ready(); // resolves even though closed mid-scan
    const read = w.bytesRead;
    await appendFile(file, linesOf(fresh('claude-session.jsonl'))[1]!);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.bytesRead).toBe(read);
  });
});
