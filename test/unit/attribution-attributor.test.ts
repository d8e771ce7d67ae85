/** The attributor on a real watcher and real files: join at once, later when the line lands, by session, or give up. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, rm } from 'node:fs/promises';
import { Attributor, type AttributionPatch } from '../../src/attribution/attributor.js';
import { SessionIndex } from '../../src/attribution/session-index.js';
import { SessionWatcher } from '../../src/attribution/watcher.js';
import {
  CLAUDE_CWD,
  CLAUDE_SESSION,
  CODEX_CWD,
  CODEX_SESSION,
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
let w: SessionWatcher;
let a: Attributor | undefined;
let updates: Map<string, AttributionPatch>;

beforeEach(async () => {
  home = await tempHome();
  w = new SessionWatcher({ home, pollMs: 50 });
  updates = new Map();
});
afterEach(async () => {
  a?.close();
  a = undefined;
  await w.close();
  await rm(home, { recursive: true, force: true });
});

function attributor(opts: { delayMs?: number; messageWaitMs?: number; maxPending?: number } = {}): Attributor {
  a = new Attributor({
    watcher: w,
    update: async (id, patch) => {
      expect(updates.has(id)).toBe(false); // once per record
      updates.set(id, patch);
    },
    ...opts,
  });
  return a;
}

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Attributor', () => {
  it('joins at once by the response id, with the branch of that response’s own line', async () => {
    await put(claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION), fresh('claude-session.jsonl'));
    w.start();
    await w.ready();
    const at = attributor();
    at.note({ id: 'r1', tool: 'claude-code', responseId: MSG_MAIN }, { session: CLAUDE_SESSION });
    at.note({ id: 'r2', tool: 'claude-code', responseId: MSG_FEATURE }, {});
    expect(updates.get('r1')).toEqual({ project: CLAUDE_CWD, branch: 'main', session: CLAUDE_SESSION });
    expect(updates.get('r2')).toEqual({ project: CLAUDE_CWD, branch: 'feature/health', session: CLAUDE_SESSION });
    expect(at.pending()).toBe(0);
    expect(at.stats()).toEqual({ joined: 2, unattributed: 0, sessionOnly: 0 });
  });

  it('joins a record noted before its transcript line is written, once the line lands', async () => {
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    const lines = linesOf(fresh('claude-session.jsonl'));
    await put(file, lines.slice(0, 2).join(''));
    w.start();
    await w.ready();
    const at = attributor({ delayMs: 3000 });
    at.note({ id: 'r1', tool: 'claude-code', responseId: MSG_MAIN }, { session: CLAUDE_SESSION });
    // The session is known, but its own line is due: it waits for it rather than take the session's latest.
    expect(at.pending()).toBe(1);
    await appendFile(file, lines.slice(2, 5).join(''));
    await until(() => updates.has('r1'));
    expect(updates.get('r1')).toEqual({ project: CLAUDE_CWD, branch: 'main', session: CLAUDE_SESSION });
    expect(at.pending()).toBe(0);
  });

  it('joins a record whose session file appears only after it, by the session id it carried', async () => {
    w.start();
    await w.ready();
    const at = attributor({ delayMs: 3000 });
    at.note({ id: 'r1', tool: 'claude-code' }, { session: CLAUDE_SESSION });
    at.note({ id: 'c1', tool: 'codex', responseId: 'resp_0a1b2c' }, { session: CODEX_SESSION });
    await sleep(100);
    expect(at.pending()).toBe(2);
    await put(claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION), linesOf(fresh('claude-session.jsonl'))[1]!);
    await put(codexFile(home, new Date(), CODEX_SESSION), fresh('codex-rollout.jsonl'));
    await until(() => updates.size === 2);
    expect(updates.get('r1')).toEqual({ project: CLAUDE_CWD, branch: 'main', session: CLAUDE_SESSION });
    expect(updates.get('c1')).toEqual({ project: CODEX_CWD, branch: 'fix/rounding', session: CODEX_SESSION });
  });

  it("falls back to the session's latest place when a response never gets its own line", async () => {
    await put(claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION), fresh('claude-session.jsonl'));
    w.start();
    await w.ready();
    const at = attributor({ delayMs: 2000, messageWaitMs: 150 });
    // e.g. a title or quota request, which Claude Code does not write to the transcript
    at.note(
      { id: 'r1', tool: 'claude-code', responseId: 'msg_01NeverWrittenToTheTranscript' },
      { session: CLAUDE_SESSION },
    );
    expect(updates.has('r1')).toBe(false);
    await until(() => updates.has('r1'));
    expect(updates.get('r1')).toEqual({ project: CLAUDE_CWD, branch: 'feature/health', session: CLAUDE_SESSION });
  });

  it('finds an old session file on demand (written before the start-up window)', async () => {
    const file = claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION);
    await put(file, fresh('claude-session.jsonl'));
    const old = new Date(Date.now() - 5 * 86_400_000);
    await import('node:fs/promises').then((fs) => fs.utimes(file, old, old));
    w.start();
    await w.ready();
    expect(w.index.session(CLAUDE_SESSION)).toBeUndefined();
    attributor({ delayMs: 3000 }).note({ id: 'r1', tool: 'claude-code' }, { session: CLAUDE_SESSION });
    await until(() => updates.has('r1'));
    expect(updates.get('r1')?.project).toBe(CLAUDE_CWD);
  });

  it('gives up after delayMs: an agent keeps the session id it carried, anything else stays untouched', async () => {
    w.start();
    await w.ready();
    const at = attributor({ delayMs: 200 });
    at.note({ id: 'r1', tool: 'claude-code', responseId: 'msg_01Nowhere' }, { session: CLAUDE_SESSION });
    at.note({ id: 'o1', tool: 'openai-node' }, { session: CODEX_SESSION });
    at.note({ id: 'n1', tool: 'codex' }, {}); // nothing to join on: not even held
    expect(at.pending()).toBe(2);
    await sleep(120);
    expect(updates.size).toBe(0);
    await until(() => at.pending() === 0);
    expect([...updates]).toEqual([['r1', { project: null, branch: null, session: CLAUDE_SESSION }]]);
    expect(at.stats()).toEqual({ joined: 0, unattributed: 3, sessionOnly: 1 });
    // A line landing after the give-up changes nothing.
    await put(claudeFile(home, CLAUDE_CWD, CLAUDE_SESSION), fresh('claude-session.jsonl'));
    await until(() => w.index.session(CLAUDE_SESSION) !== undefined);
    expect(updates.get('r1')?.project).toBeNull();
  });

  it('keeps at most maxPending records waiting (the oldest gives up first) and works on a bare index', async () => {
    const index = new SessionIndex();
    const got: string[] = [];
    a = new Attributor({ index, update: async (id) => void got.push(id), maxPending: 3, delayMs: 60_000 });
    for (let i = 0; i < 5; i++)
      a.note({ id: `r${i}`, tool: 'codex' }, { session: `0196ed2a-0000-7000-8000-00000000000${i}` });
    expect(a.pending()).toBe(3);
    expect(got).toEqual(['r0', 'r1']); // given up: their session ids only
    const meta = { type: 'session_meta', payload: { id: '0196ed2a-0000-7000-8000-000000000004', cwd: '/w' } };
    index.feed('/rollout-x.jsonl', 'codex', Buffer.from(JSON.stringify(meta) + '\n'));
    expect(got).toEqual(['r0', 'r1', 'r4']);
    expect(a.pending()).toBe(2);
  });

  it('a failing update is logged, not thrown', async () => {
    const index = new SessionIndex();
    const logs: string[] = [];
    a = new Attributor({ index, update: () => Promise.reject(new Error('store closed')), log: (m) => logs.push(m) });
    const line = { type: 'user', sessionId: CLAUDE_SESSION, cwd: '/w', gitBranch: 'main' };
    index.feed('/f.jsonl', 'claude', Buffer.from(JSON.stringify(line) + '\n'));
    a.note({ id: 'r1', tool: 'claude-code' }, { session: CLAUDE_SESSION });
    await sleep(10);
    expect(logs).toEqual(['attribution: cannot update r1: Error: store closed']);
  });
});
