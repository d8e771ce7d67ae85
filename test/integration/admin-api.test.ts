/**
 * Every /api route: auth (401 without token, 403 for a foreign Origin even with it), the
 * dashboard session cookie, settings read/write, requests with filters, spend, CSV export,
 * sync, pause/resume, the event stream with Last-Event-ID resume, budgets.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEYS, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const auth = () => ({ authorization: `Bearer ${h.gw.adminToken}` });
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${h.gw.url}${path}`, {
    ...init,
    headers: { ...auth(), 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
const chat = (g: Harness, content = 'x', model = 'gpt-4o-mini') =>
  new OpenAI({ apiKey: 'x', baseURL: `${g.gw.url}/openai/v1`, maxRetries: 0 }).chat.completions
    .create({ model, messages: [{ role: 'user', content }] })
    .withResponse();

describe('auth on every /api route', () => {
  const routes: [string, string][] = [
    ['GET', '/api/settings'],
    ['PATCH', '/api/settings'],
    ['GET', '/api/requests'],
    ['GET', '/api/requests/01M8CW6D3WJ4ZAC9XZG9H9AHCC'],
    ['GET', '/api/spend'],
    ['GET', '/api/export.csv?from=2026-01-01&to=2026-01-02'],
    ['GET', '/api/sync'],
    ['POST', '/api/sync'],
    ['POST', '/api/pause'],
    ['POST', '/api/resume'],
    ['GET', '/api/events'],
  ];
  it.each(routes)('%s %s: 401 without token, 403 with a foreign Origin', async (method, path) => {
    expect((await fetch(`${h.gw.url}${path}`, { method })).status).toBe(401);
    const foreign = await fetch(`${h.gw.url}${path}`, {
      method,
      headers: { ...auth(), origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  it('the #token= login sets an HttpOnly SameSite=Strict cookie that opens /api', async () => {
    expect(
      (
        await fetch(`${h.gw.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"token":"wrong"}',
        })
      ).status,
    ).toBe(401);
    const res = await fetch(`${h.gw.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.gw.url },
      body: JSON.stringify({ token: h.gw.adminToken }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(h.gw.adminToken);
    const withCookie = await fetch(`${h.gw.url}/api/settings`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
  });
});

describe('settings', () => {
  it('reads masked keys; a patch with bad values answers per field and changes nothing', async () => {
    const view = (await (await api('/api/settings')).json()) as {
      settings: { providers: { openai: { apiKey: string } } };
      locked: object;
    };
    expect(view.settings.providers.openai.apiKey).toBe(`sk-…${KEYS.openai.slice(-4)}`);
    expect(view.locked).toEqual({});
    const bad = await api('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ budgets: { daily: -1 }, providers: { openai: { origin: 'nope' } } }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors.map((e) => e.path).sort()).toEqual(['budgets.daily', 'providers.openai.origin']);
  });

  it('a new key is saved to secrets.json (not settings.json), masked, and used by the next request', async () => {
    const res = await api('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ providers: { openai: { apiKey: 'sk-brand-new-key-9876' } } }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain('sk-brand-new-key-9876');
    await chat(h);
    expect(h.sims.openai.received.at(-1)!.headers.authorization).toBe('Bearer sk-brand-new-key-9876');
    expect(await readFile(join(h.dataDir, 'secrets.json'), 'utf8')).toContain('sk-brand-new-key-9876');
    expect(await readFile(join(h.dataDir, 'settings.json'), 'utf8')).not.toContain('sk-brand-new-key-9876');
    await api('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ providers: { openai: { apiKey: KEYS.openai } } }),
    });
  });

  it('keys set by the config file or environment are locked', async () => {
    const g = await startHarness({}, { sims: h.sims });
    await g.close();
    const { startGateway } = await import('../../src/index.js');
    const gw = await startGateway({
      layers: { env: { providers: { openai: { apiKey: 'sk-from-env-00000000' } } } },
      dataDir: g.dataDir + '-locked',
      port: 0,
      log: () => undefined,
    });
    try {
      const res = await fetch(`${gw.url}/api/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${gw.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ providers: { openai: { apiKey: 'sk-other' } } }),
      });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { errors: { path: string; message: string }[] }).errors[0]).toEqual({
        path: 'providers.openai.apiKey',
        message: 'set by env; change it there',
      });
      const view = (await (
        await fetch(`${gw.url}/api/settings`, { headers: { authorization: `Bearer ${gw.adminToken}` } })
      ).json()) as { locked: Record<string, string> };
      expect(view.locked['providers.openai.apiKey']).toBe('env');
    } finally {
      await gw.stop();
    }
  });
});

describe('requests, spend, export', () => {
  it('filters by provider, status and text; pages with a cursor; detail by id', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await chat(h, `filter-${i}`)).response.headers.get('x-lava-desktop-request-id')!);
    const an = new Anthropic({ apiKey: 'x', baseURL: `${h.gw.url}/anthropic`, maxRetries: 0 });
    await an.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    await chat(h, 'x', 'error-500').catch(() => undefined);
    await h.records(6);
    const get = async (q: string) =>
      (await (await api(`/api/requests?${q}`)).json()) as {
        data: { id: string; provider: string; status: number }[];
        next_cursor: string | null;
      };
    const anthropic = await get('provider=anthropic');
    expect(anthropic.data.length).toBeGreaterThanOrEqual(1);
    expect(anthropic.data.every((r) => r.provider === 'anthropic')).toBe(true);
    const errors = await get('status=error');
    expect(errors.data.every((r) => r.status >= 400)).toBe(true);
    expect(errors.data.length).toBeGreaterThanOrEqual(1);
    const p1 = await get('provider=openai&status=ok&limit=2');
    expect(p1.data).toHaveLength(2);
    const p2 = await get(`provider=openai&status=ok&limit=2&cursor=${p1.next_cursor}`);
    expect(p2.data[0]!.id).not.toBe(p1.data[1]!.id);
    expect((await get(`q=${ids[1]}`)).data.map((r) => r.id)).toEqual([ids[1]]);
    const one = (await (await api(`/api/requests/${ids[0]}`)).json()) as { id: string; usage: object };
    expect(one.id).toBe(ids[0]);
    expect((await api('/api/requests?status=maybe')).status).toBe(400);
  });

  it('spend: totals, a per-day series by model, top models; CSV export of today', async () => {
    await h.ctx.store.flush();
    const spend = (await (await api('/api/spend?days=7&by=model')).json()) as {
      today: { requests: number; cost: string };
      days: string[];
      series: { date: string; key: string; cost: string }[];
      topModels: { model: string }[];
    };
    const recs = (await h.ctx.store.list({ limit: 1000 })).data;
    expect(spend.today.requests).toBe(recs.length);
    expect(Number(spend.today.cost)).toBeCloseTo(
      recs.reduce((s, r) => s + Number(r.cost ?? 0), 0),
      9,
    );
    expect(spend.days).toHaveLength(7);
    expect(spend.series.some((s) => s.key === 'gpt-4o-mini' && s.date === spend.days.at(-1))).toBe(true);
    expect(spend.topModels[0]!.model).toBeDefined();
    const day = new Date().toISOString().slice(0, 10);
    const csv = await (await api(`/api/export.csv?from=${day}&to=${day}`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'id,startedAt,provider,model,status,error,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,total_tokens,cost,costSource,durationMs,client,mode,tool,tag,project,branch,session,billing',
    );
    expect(lines).toHaveLength(recs.length + 1);
    const first = recs.at(-1)!;
    expect(lines[1]!.startsWith(`${first.id},${first.startedAt},${first.provider},`)).toBe(true);
    expect((await api('/api/export.csv?from=yesterday&to=today')).status).toBe(400);
  });
});

describe('events, pause, sync', () => {
  it('streams request events; a reconnect with Last-Event-ID gets what it missed', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${h.gw.url}/api/events`, { headers: auth(), signal: ctl.signal });
    const reader = res.body!.getReader();
    const { response } = await chat(h, 'evented');
    const id = response.headers.get('x-lava-desktop-request-id')!;
    let text = '';
    while (!text.includes(`"id":"${id}"`) || !text.includes('request.completed'))
      text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    const lastId = Math.max(...[...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])));
    const missed = (await chat(h, 'while away')).response.headers.get('x-lava-desktop-request-id')!;
    await h.record(missed);
    const ctl2 = new AbortController();
    const again = await fetch(`${h.gw.url}/api/events`, {
      headers: { ...auth(), 'last-event-id': String(lastId) },
      signal: ctl2.signal,
    });
    const r2 = again.body!.getReader();
    let t2 = '';
    while (!t2.includes(missed)) t2 += new TextDecoder().decode((await r2.read()).value);
    ctl2.abort();
    expect(t2).toContain('request.started');
  });

  it('pause refuses proxy requests with 503 in the client shape; resume lets them through', async () => {
    await api('/api/pause', { method: 'POST' });
    const err = (await chat(h).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(503);
    await api('/api/resume', { method: 'POST' });
    expect((await chat(h)).data.choices.length).toBe(1);
  });

  it('sync without a Lava key says why it is off', async () => {
    expect(await (await api('/api/sync')).json()).toMatchObject({
      state: 'disabled',
      reason: expect.stringContaining('no Lava secret key'),
    });
    expect((await api('/api/sync', { method: 'POST' })).status).toBe(409);
  });
});

describe('budgets', () => {
  it('alerts at 50/80/100 % once each; hardStop refuses with 402 in the client shape', async () => {
    // Reservations (PRODUCT.md §14) hold each request's worst case: one output token here, so requests
    // are admitted until the next one no longer fits, and the refusal announces the budget as reached.
    const g = await startHarness(
      { budgets: { daily: 0.0001, hardStop: true, reserveOutputTokens: 1 } },
      { sims: h.sims },
    );
    try {
      const alerts: number[] = [];
      g.gw.events.on('event', (n) => {
        if (n.event.type === 'budget.alert') alerts.push(n.event.threshold);
      });
      // Each request costs ~$0.0000x (gpt-4o-mini); go until refused.
      let refused: InstanceType<typeof OpenAI.APIError> | undefined;
      for (let i = 0; i < 50 && !refused; i++) {
        refused = (await chat(g, 'spend '.repeat(40)).then(
          () => undefined,
          (e: unknown) => e,
        )) as typeof refused;
      }
      expect(refused?.status).toBe(402);
      expect(refused?.message).toContain('daily budget reached');
      expect(alerts).toEqual([50, 80, 100]);
      const an = new Anthropic({ apiKey: 'x', baseURL: `${g.gw.url}/anthropic`, maxRetries: 0 });
      const e2 = (await an.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
      expect(e2.status).toBe(402);
      expect((e2.error as { error: { type: string } }).error.type).toBe('billing_error');
      const spend = (await (
        await fetch(`${g.gw.url}/api/spend`, { headers: { authorization: `Bearer ${g.gw.adminToken}` } })
      ).json()) as { budgets: { exceeded: boolean; daily: { percent: number; left: string } } };
      expect(spend.budgets.exceeded).toBe(true);
      // Reservations keep the spend at or under the cap: what is left does not hold one more request.
      expect(spend.budgets.daily.percent).toBeLessThanOrEqual(100);
      expect(Number(spend.budgets.daily.left)).toBeLessThan(0.0001);
    } finally {
      await g.close();
    }
  });

  it('a stream that crosses the cap is cut, and its partial usage is billed', async () => {
    // claude-sonnet-4-5: $3/M input, $15/M output. message_start reports the input at once; the
    // reservation holds the input and one output token, so the stream starts and is cut as output comes.
    const g = await startHarness(
      { budgets: { daily: 0.001, hardStop: true, reserveOutputTokens: 1 } },
      { sims: h.sims },
    );
    try {
      const an = new Anthropic({ apiKey: 'x', baseURL: `${g.gw.url}/anthropic`, maxRetries: 0 });
      const big = 'long prompt '.repeat(100); // ~300 tokens → ~$0.0009 > the cap
      const { data: stream, response } = await an.messages
        .create({
          model: 'claude-sonnet-4-5',
          max_tokens: 100,
          stream: true,
          messages: [{ role: 'user', content: `${big} [gap=50] [chunks=9]` }],
        })
        .withResponse();
      const err = await (async () => {
        for await (const e of stream) void e;
      })().catch((e: unknown) => e);
      expect(String(err)).toContain('budget reached');
      const rec = await g.record(response.headers.get('x-lava-desktop-request-id')!);
      expect(rec.error).toMatch(/^budget reached: stream cut/);
      expect(rec.usage!.input_tokens).toBeGreaterThan(250);
      expect(Number(rec.cost)).toBeGreaterThan(0.001);

      // The same through translation: an OpenAI client on Claude gets the error in OpenAI's stream format.
      const oa = new OpenAI({ apiKey: 'x', baseURL: `${g.gw.url}/v1`, maxRetries: 0 });
      await g.ctx.applyConfig({
        ...g.ctx.config,
        budgets: { ...g.ctx.config.budgets, daily: 100, hardStop: true, reserveOutputTokens: 1 },
      });
      g.ctx.budget!.today = 100 - 0.00095;
      const s2 = await oa.chat.completions.create({
        model: 'anthropic/claude-sonnet-4-5',
        stream: true,
        messages: [{ role: 'user', content: `${big} [gap=50] [chunks=9]` }],
      });
      const err2 = await (async () => {
        for await (const c of s2) void c;
      })().catch((e: unknown) => e);
      expect(String(err2)).toContain('budget reached');
    } finally {
      await g.close();
    }
  });
});
