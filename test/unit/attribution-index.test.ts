/** The session index: fed saved transcripts in any pieces; partial, blank, broken and huge lines; bounds. */
import { describe, expect, it } from 'vitest';
import { SessionIndex } from '../../src/attribution/session-index.js';
import { LineSplitter } from '../../src/attribution/line-splitter.js';
import {
  CLAUDE_CWD,
  CLAUDE_SESSION,
  CODEX_CWD,
  CODEX_SESSION,
  MSG_FEATURE,
  MSG_MAIN,
  fresh,
} from './attribution-fixtures.js';

const FILE = `/h/.claude/projects/-home-dev-work-lava-api/${CLAUDE_SESSION}.jsonl`;

function feedIn(index: SessionIndex, file: string, kind: 'claude' | 'codex', bytes: Buffer, size: number): void {
  for (let i = 0; i < bytes.length; i += size) index.feed(file, kind, bytes.subarray(i, i + size));
}

describe('SessionIndex', () => {
  it('indexes a Claude transcript the same whatever the pieces (down to single bytes)', () => {
    const bytes = Buffer.from(fresh('claude-session.jsonl'));
    for (const size of [1, 7, 100, bytes.length]) {
      const index = new SessionIndex();
      feedIn(index, FILE, 'claude', bytes, size);
      expect(index.session(CLAUDE_SESSION)).toEqual({
        kind: 'claude',
        session: CLAUDE_SESSION,
        project: CLAUDE_CWD,
        branch: 'feature/health', // the latest line's
        file: FILE,
      });
      // Each response keeps the branch of its own line.
      expect(index.message(MSG_MAIN)).toEqual({ session: CLAUDE_SESSION, project: CLAUDE_CWD, branch: 'main' });
      expect(index.message(MSG_FEATURE)?.branch).toBe('feature/health');
      expect(index.size.messages).toBe(2);
    }
  });

  it('keeps a partial last line until the rest arrives', () => {
    const index = new SessionIndex();
    const line = fresh('claude-session.jsonl').split('\n')[2]!; // the first assistant line
    index.feed(FILE, 'claude', Buffer.from(line.slice(0, 200)));
    expect(index.message(MSG_MAIN)).toBeUndefined();
    index.feed(FILE, 'claude', Buffer.from(line.slice(200)));
    expect(index.message(MSG_MAIN)).toBeUndefined(); // no newline yet: the writer may not be done
    index.feed(FILE, 'claude', Buffer.from('\n'));
    expect(index.message(MSG_MAIN)?.project).toBe(CLAUDE_CWD);
  });

  it('skips blank, non-JSON and over-long lines, and reads on after them', () => {
    const index = new SessionIndex();
    const [first, , assistant] = fresh('claude-session.jsonl').split('\n');
    const huge = JSON.stringify({
      type: 'user',
      sessionId: 'someone-else-session',
      cwd: '/x',
      pad: 'p'.repeat(1_200_000),
    });
    const text = `\n   \nnot json at all\n{"sessionId":\n${huge}\n${first}\n${assistant}\n`;
    feedIn(index, FILE, 'claude', Buffer.from(text), 64 * 1024);
    expect(index.session('someone-else-session')).toBeUndefined();
    expect(index.message(MSG_MAIN)?.session).toBe(CLAUDE_SESSION);
  });

  it('never holds more than a line limit of a line being skipped', () => {
    const lines = new LineSplitter(1000);
    expect(lines.push(Buffer.from('a'.repeat(600)))).toEqual([]);
    expect(lines.push(Buffer.from('b'.repeat(600)))).toEqual([]); // over the limit: dropped, not kept
    expect((lines as unknown as { restBytes: number }).restBytes).toBe(0);
    expect(lines.push(Buffer.from('ccc\n{"ok":1}\n'))).toEqual(['{"ok":1}']);
  });

  it("takes a Codex rollout's own session_meta only (a fork repeats its parent's later)", () => {
    const index = new SessionIndex();
    const file = `/h/.codex/sessions/2026/05/20/rollout-2026-05-20T09-20-11-${CODEX_SESSION}.jsonl`;
    feedIn(index, file, 'codex', Buffer.from(fresh('codex-rollout.jsonl')), 50);
    expect(index.session(CODEX_SESSION)).toEqual({
      kind: 'codex',
      session: CODEX_SESSION,
      project: CODEX_CWD,
      branch: 'fix/rounding',
      file,
    });
    expect(index.isDone(file)).toBe(true);
    expect(index.size.sessions).toBe(1);
  });

  it('forgets responses older than a day and keeps every map under its cap', () => {
    let now = Date.now();
    const index = new SessionIndex({ maxSessions: 3, maxMessages: 2, now: () => now });
    index.feed(FILE, 'claude', Buffer.from(fresh('claude-session.jsonl')));
    expect(index.message(MSG_MAIN)).toBeDefined();
    now += 25 * 3_600_000;
    expect(index.message(MSG_MAIN)).toBeUndefined();
    // Lines already older than a day are not kept at all.
    const old = new SessionIndex();
    old.feed(
      FILE,
      'claude',
      Buffer.from(fresh('claude-session.jsonl').replace(/"timestamp":"[^"]+"/g, '"timestamp":"2020-01-01T00:00:00Z"')),
    );
    expect(old.size.messages).toBe(0);
    expect(old.session(CLAUDE_SESSION)?.project).toBe(CLAUDE_CWD);
    for (let i = 0; i < 10; i++) {
      const s = `0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`;
      const line = { type: 'assistant', sessionId: s, cwd: `/p${i}`, gitBranch: '', message: { id: `msg_${i}` } };
      index.feed(`/f${i}.jsonl`, 'claude', Buffer.from(JSON.stringify(line) + '\n'));
    }
    expect(index.size.sessions).toBe(3);
    expect(index.size.messages).toBe(2);
    expect(index.session('00000009-aaaa-4bbb-8ccc-dddddddddddd')).toMatchObject({ project: '/p9', branch: null });
    expect(index.message('msg_9')).toBeDefined();
    expect(index.message('msg_0')).toBeUndefined();
  });
});
