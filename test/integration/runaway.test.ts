/**
 * The runaway guard and the billing-change alert (PRODUCT.md §14) on a real gateway through the
 * real SDKs: a burst from one tool trips at the request past the limit with a 429 in its API's
 * shape while other tools go on, the event, `GET /api/guards`, `lava-desktop resume --tool`
 * (spawned) and requests passing again; a dollars-per-hour trip; one `billing.changed` when a
 * tool's plan-billed requests switch to an API key; both kept across a restart (guards.json), and
 * a guards.json that does not parse moved aside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { claudePlanClient, startHarness, type Harness } from './harness.js';
import type { GatewayEvent } from '../../src/context.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const cli = async (args: string[]) => {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators();
});
afterAll(() => sims.close());

/** A harness and every event it emits from now on. */
async function gateway(runaway: Record<string, number>) {
  const h = await startHarness({ guards: { runaway } }, { sims });
  const events: GatewayEvent[] = [];
  h.gw.events.on('event', (n) => events.push(n.event));
  const of = <T extends GatewayEvent['type']>(type: T) =>
    events.filter((e): e is Extract<GatewayEvent, { type: T }> => e.type === type);
  return { h, of };
}

const admin = async (h: Harness, path: string, init: RequestInit = {}) => {
  const res = await fetch(`${h.gw.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${h.gw.adminToken}`, 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const chat = (client: OpenAI) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const openai = (h: Harness, prefix = '') =>
  new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}${prefix}/openai/v1`, maxRetries: 0 });
const ask = { model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { status?: number; error?: unknown; message: string },
  );

describe('requests per minute', () => {
  it('a burst from codex trips at the 6th request (429 in OpenAI shape); another tool goes on; resume --tool lets it pass', async () => {
    const { h, of } = await gateway({ requestsPerMinute: 5, dollarsPerHour: 0 });
    try {
      const codex = openai(h, '/@codex');
      const before = sims.openai.received.length;
      for (let i = 0; i < 5; i++) await chat(codex);
      const err = await failure(chat(codex));
      expect(err?.status).toBe(429);
      expect(err?.error).toMatchObject({ code: 'runaway_guard', type: 'lava_desktop_error' });
      expect(err?.message).toMatch(/6 requests in the last minute \(limit 5/);
      expect(err?.message).toContain('lava-desktop resume --tool codex');
      expect(sims.openai.received.length - before).toBe(5);
      expect((await failure(chat(codex)))?.status).toBe(429);
      expect(sims.openai.received.length - before).toBe(5);

      // Another tool (the SDK's own, from its User-Agent) is not paused.
      const other = await chat(openai(h)).withResponse();
      expect(await h.record(other.response.headers.get('x-lava-desktop-request-id')!)).toMatchObject({
        tool: 'openai-node',
        status: 200,
      });
      const trips = of('guard.tripped');
      expect(trips).toHaveLength(1);
      expect(trips[0]).toMatchObject({ tool: 'codex', reason: 'requestsPerMinute', value: 6, limit: 5 });
      const guards = await admin(h, '/api/guards');
      expect(guards.body).toMatchObject({
        limits: { requestsPerMinute: 5, dollarsPerHour: 0 },
        tripped: [{ tool: 'codex', reason: 'requestsPerMinute', value: 6, limit: 5, at: trips[0]!.at }],
      });
      // `status` says so too, with how to resume.
      const status = await cli(['status', '--data-dir', h.dataDir]);
      expect(status.stdout).toContain(
        'paused by the runaway guard: codex (requestsPerMinute 6 > 5); resume: lava-desktop resume --tool codex',
      );

      const resumed = await cli(['resume', '--tool', 'codex', '--data-dir', h.dataDir]);
      expect(resumed).toMatchObject({ code: 0, stdout: 'codex resumed: its requests pass again\n' });
      expect(of('guard.resumed')).toEqual([{ type: 'guard.resumed', tool: 'codex' }]);
      expect((await admin(h, '/api/guards')).body.tripped).toEqual([]);
      // The window started afresh: five more pass, the sixth trips again.
      for (let i = 0; i < 5; i++) await chat(codex);
      expect((await failure(chat(codex)))?.status).toBe(429);
      expect(of('guard.tripped')).toHaveLength(2);
      expect(h.gw.resumeTool('codex')).toBe(true);
      await chat(codex);
    } finally {
      await h.close();
    }
  });

  it('claude-code gets the 429 in Anthropic shape; /api/resume with a tool, and the CLI when it is not paused', async () => {
    const { h } = await gateway({ requestsPerMinute: 2, dollarsPerHour: 0 });
    try {
      const claude = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/@claude-code/anthropic`, maxRetries: 0 });
      await claude.messages.create(ask);
      await claude.messages.create(ask);
      const err = await failure(claude.messages.create(ask));
      expect(err).toBeInstanceOf(Anthropic.RateLimitError);
      expect(err?.error).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/claude-code/) } });
      expect(err?.message).toMatch(/3 requests in the last minute \(limit 2/);

      const notPaused = await cli(['resume', '--tool', 'codex', '--data-dir', h.dataDir]);
      expect(notPaused.code).toBe(1);
      expect(notPaused.stderr.trim().split('\n')).toEqual(['lava-desktop: codex is not paused by the runaway guard']);
      const bad = await admin(h, '/api/resume', { method: 'POST', body: JSON.stringify({ tool: 7 }) });
      expect(bad.status).toBe(400);
      const ok = await admin(h, '/api/resume', { method: 'POST', body: JSON.stringify({ tool: 'claude-code' }) });
      expect(ok).toMatchObject({ status: 200, body: { tool: 'claude-code', resumed: true, tripped: [] } });
      await claude.messages.create(ask);
      // Without a body, /api/resume still resumes the whole gateway.
      expect((await admin(h, '/api/resume', { method: 'POST' })).body).toEqual({ paused: false });
    } finally {
      await h.close();
    }
  });

  it('the CLI: no gateway exits 1, no --tool exits 2, each in one line', async () => {
    const none = await cli(['resume', '--tool', 'codex', '--data-dir', '/nonexistent/lava-desktop-nowhere']);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/not running/);
    const usage = await cli(['resume']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('lava-desktop: resume: --tool is required (see lava-desktop resume --help)');
  });
});

describe('dollars per hour', () => {
  it('a tool whose recorded spend crosses the limit is paused; plan-billed requests are not money', async () => {
    const { h, of } = await gateway({ requestsPerMinute: 0, dollarsPerHour: 0.000001 });
    try {
      const codex = openai(h, '/@codex');
      const first = await chat(codex).withResponse();
      const rec = await h.record(first.response.headers.get('x-lava-desktop-request-id')!);
      expect(Number(rec.cost)).toBeGreaterThan(0.000001);
      const err = await failure(chat(codex));
      expect(err?.status).toBe(429);
      expect(err?.message).toMatch(/\$0\.00 spent in the last hour \(limit \$0\.00, guards\.runaway\.dollarsPerHour/);
      expect(of('guard.tripped')).toEqual([
        {
          type: 'guard.tripped',
          tool: 'codex',
          reason: 'dollarsPerHour',
          value: Number(rec.cost),
          limit: 0.000001,
          at: expect.any(String),
        },
      ]);

      // Claude on its plan: the requests have a cost, but the plan pays; no trip.
      const plan = claudePlanClient(`${h.gw.url}/@claude-code/anthropic`);
      for (let i = 0; i < 2; i++) {
        const { response } = await plan.messages.create(ask).withResponse();
        expect(await h.record(response.headers.get('x-lava-desktop-request-id')!)).toMatchObject({
          billing: 'subscription',
        });
      }
      expect(of('guard.tripped')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('billing changes', () => {
  it('claude-code on its plan, then on an API key: exactly one billing.changed; a return to the plan re-arms it', async () => {
    const { h, of } = await gateway({ requestsPerMinute: 0, dollarsPerHour: 0 });
    try {
      const base = `${h.gw.url}/@claude-code/anthropic`;
      const plan = claudePlanClient(base);
      const keyed = new Anthropic({ apiKey: 'x', baseURL: base, maxRetries: 0 });
      const send = async (c: Anthropic) => {
        const { response } = await c.messages.create(ask).withResponse();
        return h.record(response.headers.get('x-lava-desktop-request-id')!);
      };
      expect((await send(plan)).billing).toBe('subscription');
      const switched = await send(keyed);
      expect(switched.billing).toBe('api');
      await send(keyed);
      expect(of('billing.changed')).toEqual([
        {
          type: 'billing.changed',
          tool: 'claude-code',
          from: 'subscription',
          to: 'api',
          requestId: switched.id,
          at: expect.any(String),
        },
      ]);
      await send(plan);
      await send(keyed);
      expect(of('billing.changed')).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

describe('across a restart', () => {
  const limits = { requestsPerMinute: 2, dollarsPerHour: 0 };
  const withDir = async (run: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'lava-desktop-guards-'));
    try {
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const restart = (dir: string, start: NonNullable<Parameters<typeof startHarness>[1]>['start'] = {}) =>
    startHarness({ guards: { runaway: limits } }, { sims, dataDir: dir, start });

  it('a paused tool is still paused after a restart, until it is resumed; the resume is kept too', async () => {
    await withDir(async (dir) => {
      const h1 = await restart(dir);
      await chat(openai(h1, '/@codex'));
      await chat(openai(h1, '/@codex'));
      expect((await failure(chat(openai(h1, '/@codex'))))?.status).toBe(429);
      await h1.close();
      const kept = JSON.parse(await readFile(join(dir, 'guards.json'), 'utf8')) as { paused: unknown[] };
      expect(kept.paused).toEqual([expect.objectContaining({ tool: 'codex', reason: 'requestsPerMinute', value: 3 })]);

      const h2 = await restart(dir);
      try {
        const before = sims.openai.received.length;
        const err = await failure(chat(openai(h2, '/@codex')));
        expect(err?.status).toBe(429);
        expect(err?.message).toMatch(/3 requests in the last minute \(limit 2/);
        expect(sims.openai.received.length).toBe(before);
        expect((await admin(h2, '/api/guards')).body.tripped).toEqual([expect.objectContaining({ tool: 'codex' })]);
        const status = await cli(['status', '--data-dir', dir]);
        expect(status.stdout).toContain('paused by the runaway guard: codex');
        // Another tool was never paused.
        await chat(openai(h2, '/@aider'));
        expect(h2.gw.resumeTool('codex')).toBe(true);
        await chat(openai(h2, '/@codex'));
      } finally {
        await h2.close();
      }

      const h3 = await restart(dir);
      try {
        await chat(openai(h3, '/@codex'));
        expect((await admin(h3, '/api/guards')).body.tripped).toEqual([]);
      } finally {
        await h3.close();
      }
    });
  });

  it('claude-code on its plan before a restart and on an API key after it: billing.changed still comes', async () => {
    await withDir(async (dir) => {
      const base = (h: Harness) => `${h.gw.url}/@claude-code/anthropic`;
      const h1 = await restart(dir);
      const plan = claudePlanClient(base(h1));
      await plan.messages.create(ask);
      await h1.close();

      const h2 = await restart(dir);
      try {
        const changed: GatewayEvent[] = [];
        h2.gw.events.on('event', (n) => n.event.type === 'billing.changed' && changed.push(n.event));
        const keyed = new Anthropic({ apiKey: 'x', baseURL: base(h2), maxRetries: 0 });
        const { response } = await keyed.messages.create(ask).withResponse();
        const id = response.headers.get('x-lava-desktop-request-id')!;
        expect((await h2.record(id)).billing).toBe('api');
        expect(changed).toEqual([
          expect.objectContaining({ tool: 'claude-code', from: 'subscription', requestId: id }),
        ]);
      } finally {
        await h2.close();
      }
    });
  });

  it('a guards.json that does not parse is moved aside with a message; the gateway starts with nothing paused', async () => {
    await withDir(async (dir) => {
      await writeFile(join(dir, 'guards.json'), '{"paused": [');
      const lines: string[] = [];
      const h = await restart(dir, { log: (m: string) => lines.push(m) });
      try {
        await chat(openai(h, '/@codex'));
        expect(lines.join('\n')).toMatch(/guards\.json could not be read .*moved it aside/);
        expect((await readdir(dir)).filter((f) => f.startsWith('guards.json.corrupt-'))).toHaveLength(1);
      } finally {
        await h.close();
      }
    });
  });
});
