/** The runaway guard's windows on a clock the test moves: what slides out, what is not counted, bounded memory. */
import { describe, expect, it } from 'vitest';
import { MAX_TOOLS, RunawayGuard, SlidingSum } from '../../src/record/runaway.js';
import type { GatewayEvent } from '../../src/record/events.js';

function guard(requestsPerMinute: number, dollarsPerHour: number) {
  let now = Date.parse('2025-06-01T10:00:00.000Z');
  const events: GatewayEvent[] = [];
  const g = new RunawayGuard(
    () => ({ requestsPerMinute, dollarsPerHour }),
    (e) => events.push(e),
    () => now,
  );
  return { g, events, tick: (ms: number) => (now += ms) };
}

const rec = (tool: string | null, cost: string, billing: 'api' | 'subscription' | 'lava' = 'api', id = 'r') => ({
  id,
  tool,
  billing,
  cost,
  startedAt: '',
});

describe('requests per minute', () => {
  it('requests older than a minute slide out; free calls and tool-less requests are not counted', () => {
    const { g, tick } = guard(3, 0);
    for (let i = 0; i < 3; i++) expect(g.check('codex')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(g.check('codex', true)).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(g.check(null)).toBeUndefined();
    tick(61_000);
    for (let i = 0; i < 3; i++) expect(g.check('codex')).toBeUndefined();
    const err = g.check('codex');
    expect(err).toMatchObject({ status: 429, code: 'runaway_guard' });
    expect(err!.message).toMatch(/4 requests in the last minute \(limit 3/);
    // Paused: free calls too are refused, and waiting does not resume it.
    tick(3_600_000);
    expect(g.check('codex', true)?.status).toBe(429);
  });

  it('one trip, one event; resume starts the window afresh and says so', () => {
    const { g, events } = guard(1, 0);
    g.check('aider');
    g.check('aider');
    g.check('aider');
    expect(events.map((e) => e.type)).toEqual(['guard.tripped']);
    expect(g.resume('aider')).toBe(true);
    expect(g.resume('aider')).toBe(false);
    expect(g.check('aider')).toBeUndefined();
    expect(events.at(-1)).toEqual({ type: 'guard.resumed', tool: 'aider' });
    expect(g.tripped()).toEqual([]);
  });
});

describe('dollars per hour', () => {
  it('recorded spend over the hour trips; plan-billed cost is not money; an hour later it has slid out', () => {
    const { g, events, tick } = guard(0, 1);
    g.onRecord(rec('codex', '0.6'));
    g.onRecord(rec('codex', '5', 'subscription'));
    tick(3_660_000);
    g.onRecord(rec('codex', '0.6'));
    expect(g.tripped()).toEqual([]);
    g.onRecord(rec('codex', '0.5', 'lava'));
    expect(g.tripped()).toEqual([
      { tool: 'codex', reason: 'dollarsPerHour', value: 1.1, limit: 1, at: '2025-06-01T11:01:00.000Z' },
    ]);
    expect(g.check('codex')!.message).toMatch(/\$1\.10 spent in the last hour \(limit \$1\.00/);
    g.onRecord(rec('codex', '9'));
    expect(events.filter((e) => e.type === 'guard.tripped')).toHaveLength(1);
  });
});

describe('billing changes', () => {
  it('subscription then api: one event; api again: none; back to the plan re-arms it', () => {
    const { g, events } = guard(0, 0);
    g.onRecord(rec('claude-code', '1', 'api', 'a'));
    g.onRecord(rec('claude-code', '1', 'subscription', 'b'));
    g.onRecord({ ...rec('claude-code', '0'), billing: null });
    g.onRecord(rec('claude-code', '1', 'api', 'c'));
    g.onRecord(rec('claude-code', '1', 'api', 'd'));
    g.onRecord(rec('codex', '1', 'api', 'e'));
    expect(events).toEqual([
      {
        type: 'billing.changed',
        tool: 'claude-code',
        from: 'subscription',
        to: 'api',
        requestId: 'c',
        at: '2025-06-01T10:00:00.000Z',
      },
    ]);
    g.onRecord(rec('claude-code', '1', 'subscription'));
    g.onRecord(rec('claude-code', '1', 'api', 'f'));
    expect(events.filter((e) => e.type === 'billing.changed')).toHaveLength(2);
  });
});

describe('bounded memory', () => {
  it(`watches at most ${MAX_TOOLS} tools, forgetting the least recently seen, never a paused one`, () => {
    const { g } = guard(1, 0);
    g.check('first');
    g.check('first');
    for (let i = 0; i < MAX_TOOLS * 2; i++) g.check(`tool-${i}`);
    const watched = g.usage().map((u) => u.tool);
    expect(watched).toHaveLength(MAX_TOOLS);
    expect(watched).toContain('first');
    expect(watched).toContain(`tool-${MAX_TOOLS * 2 - 1}`);
    expect(watched).not.toContain('tool-0');
  });

  it('a sliding sum keeps fixed buckets whatever the rate', () => {
    const s = new SlidingSum(1000, 60);
    for (let t = 0; t < 120_000; t += 10) s.add(t, 1);
    expect(s.total(119_999)).toBe(6000);
    expect(s.total(180_000)).toBe(0);
  });
});
