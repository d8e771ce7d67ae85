/**
 * The admin API for the dashboard, CLI and shell (`/api/*`): admin token as Bearer, or the
 * dashboard's session cookie. Settings (masked, locked keys shown with their source; PATCH is a
 * JSON merge patch validated whole), requests (filtered, paged), spend from rollups, CSV export,
 * sync, pause/resume, and the live event stream with Last-Event-ID resume.
 */
import { Router, type Request, type Response } from 'express';
import express from 'express';
import { z } from 'zod';
import type { GatewayContext, NumberedEvent } from '../context.js';
import type { GatewayConfig } from '../config.js';
import { requireAuth, SESSION_COOKIE, safeEqual } from './auth.js';
import { redact } from '../lib/redact.js';
import { exportCsv, listFiltered, listQuery } from './requests.js';
import { spendReport, spendWindow } from './spend.js';
import { budgetStatus } from '../record/budgets.js';
import type { Provider } from '../providers/types.js';
import { forwardToken } from '../lava/token.js';
import { loginRoutes } from './login.js';

const badRequest = (res: Response, message: string) =>
  void res.status(400).json({ error: { message, code: 'invalid_request' } });

export function adminApi(ctx: GatewayContext): Router {
  const r = Router();
  r.use('/api', express.json({ limit: '1mb' }));
  // Dashboard login: exchanges the admin token (from the start line's #token=) for an HttpOnly cookie.
  r.post('/api/session', (req, res) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !safeEqual(token, ctx.adminToken)) {
      return void res.status(401).json({ error: { message: 'wrong or missing token', code: 'unauthorized' } });
    }
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${ctx.sessionToken}; HttpOnly; SameSite=Strict; Path=/`);
    res.json({ ok: true });
  });
  r.use(
    '/api',
    requireAuth(
      () => [ctx.adminToken],
      '/api',
      () => ctx.sessionToken,
    ),
  );
  r.get('/api/settings', (_req, res) => res.json(settingsView(ctx)));
  r.patch('/api/settings', async (req, res) => {
    const result = await ctx.settings.patch(req.body, ctx.config);
    if (!result.ok)
      return void res
        .status(result.status)
        .json({ error: { message: 'invalid settings', code: 'invalid_settings' }, errors: result.errors });
    const before = ctx.config;
    await ctx.applyConfig(result.config);
    for (const change of upstreamChanges(before, result.config)) ctx.events.emitEvent(change);
    ctx.events.emitEvent({ type: 'settings.changed' });
    res.json({ ...settingsView(ctx), restartNeeded: result.restartNeeded });
  });
  r.get('/api/requests', async (req, res) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, `${q.error.issues[0]!.path.join('.')}: ${q.error.issues[0]!.message}`);
    try {
      res.json(await listFiltered(ctx.store, q.data));
    } catch (e) {
      if (e instanceof RangeError) return badRequest(res, 'invalid cursor');
      throw e;
    }
  });
  r.get('/api/requests/:id', async (req, res) => {
    const rec = await ctx.store.get(req.params.id as string);
    if (!rec) return void res.status(404).json({ error: { message: 'no such request', code: 'not_found' } });
    res.json(rec);
  });
  r.get('/api/spend', async (req, res) => {
    const q = z
      .object({
        days: z.coerce.number().int().min(1).max(366).default(30),
        by: z.enum(['model', 'provider']).default('model'),
      })
      .safeParse(req.query);
    if (!q.success) return badRequest(res, `${q.error.issues[0]!.path.join('.')}: ${q.error.issues[0]!.message}`);
    const [from, to] = spendWindow(q.data.days);
    const report = spendReport(await ctx.store.rollups(from, to), q.data.days, q.data.by);
    res.json({ ...report, budgets: await budgetStatus(ctx) });
  });
  r.get('/api/export.csv', async (req, res) => {
    const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
    const q = z.object({ from: day, to: day }).safeParse(req.query);
    if (!q.success) return badRequest(res, `${q.error.issues[0]!.path.join('.')}: ${q.error.issues[0]!.message}`);
    if (q.data.to < q.data.from) return badRequest(res, 'to must not be before from');
    await exportCsv(ctx.store, q.data.from, q.data.to, res);
  });
  r.post('/api/test-request', async (req, res) => {
    const key = (req.body as { provider?: unknown } | undefined)?.provider;
    const p = typeof key === 'string' ? ctx.table.providers.get(key) : undefined;
    if (!p) return badRequest(res, 'provider: unknown provider');
    res.json(await testRequest(ctx, p));
  });
  r.post('/api/forward-token', (req, res) => {
    const secret = ctx.config.lava.secretKey;
    if (!secret)
      return void res.status(409).json({
        error: {
          message: 'no Lava secret key is configured (lava.secretKey, LAVA_SECRET_KEY or lava-desktop login)',
          code: 'no_lava_key',
        },
      });
    const q = z
      .object({
        customer_id: z.string().min(1).optional(),
        meter_slug: z.string().min(1).optional(),
        provider_key: z.string().min(1).optional(),
        disable_billing: z.boolean().optional(),
      })
      .strict()
      .safeParse(req.body ?? {});
    if (!q.success)
      return badRequest(res, `${q.error.issues[0]!.path.join('.') || 'body'}: ${q.error.issues[0]!.message}`);
    if (q.data.customer_id && !q.data.meter_slug) return badRequest(res, 'customer_id needs meter_slug');
    res.json({ token: forwardToken({ secret_key: secret, ...q.data }) });
  });
  r.get('/api/sync', (_req, res) => res.json(syncView(ctx)));
  r.post('/api/sync', async (_req, res) => {
    if (!ctx.sync)
      return void res.status(409).json({ error: { message: 'sync is not configured', code: 'sync_disabled' } });
    await ctx.sync.syncNow();
    res.json(syncView(ctx));
  });
  r.post('/api/pause', (_req, res) => {
    ctx.paused = true;
    ctx.events.emitEvent({ type: 'gateway.paused' });
    res.json({ paused: true });
  });
  r.post('/api/resume', (_req, res) => {
    ctx.paused = false;
    ctx.events.emitEvent({ type: 'gateway.resumed' });
    res.json({ paused: false });
  });
  r.get('/api/events', (req, res) => streamEvents(ctx, req, res));
  r.use(loginRoutes(ctx, ctx.lavaAppUrl));
  return r;
}

/** A cheap, real request through the gateway to the provider (its model list), to check key and route. */
async function testRequest(ctx: GatewayContext, p: Provider) {
  const path =
    p.style.id === 'google'
      ? '/v1beta/models'
      : p.style.id === 'anthropic'
        ? '/v1/models'
        : `${p.base.pathname.replace(/\/$/, '')}/models`;
  const t0 = Date.now();
  try {
    const res = await fetch(`${ctx.url}/${p.key}${path}`, {
      headers: { 'user-agent': 'lava-desktop-test' },
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let message = res.ok ? 'the provider answered' : text.slice(0, 200);
    try {
      const body = JSON.parse(text) as { error?: { message?: string } | string; data?: unknown[]; models?: unknown[] };
      if (res.ok) message = `the provider answered (${(body.data ?? body.models ?? []).length} models)`;
      else message = typeof body.error === 'string' ? body.error : (body.error?.message ?? message);
    } catch {
      // not JSON: keep the text
    }
    return { ok: res.ok, status: res.status, message, ms: Date.now() - t0 };
  } catch (e) {
    return { ok: false, status: 0, message: (e as Error).message, ms: Date.now() - t0 };
  }
}

/** Where requests (and keys) go changed: an event each, shown by the dashboard (a key could be sent elsewhere). */
function upstreamChanges(a: GatewayConfig, b: GatewayConfig) {
  const out: { type: 'settings.upstream_changed'; key: string; from: string | null; to: string | null }[] = [];
  const add = (key: string, from: string | undefined, to: string | undefined) => {
    if (from !== to) out.push({ type: 'settings.upstream_changed', key, from: safeUrl(from), to: safeUrl(to) });
  };
  add('lava.baseUrl', a.lava.baseUrl, b.lava.baseUrl);
  for (const key of new Set([...Object.keys(a.providers), ...Object.keys(b.providers)]))
    add(`providers.${key}.origin`, a.providers[key]?.origin, b.providers[key]?.origin);
  return out;
}

/** A URL for display: user and password removed. */
const safeUrl = (u: string | undefined): string | null => {
  if (u === undefined) return null;
  if (!URL.canParse(u)) return u;
  const url = new URL(u);
  url.username = '';
  url.password = '';
  return url.href;
};

function settingsView(ctx: GatewayContext) {
  return {
    store: ctx.store.health(),
    settings: redact(ctx.config),
    locked: ctx.settings.locked(),
    dataDir: ctx.dataDir,
    paused: ctx.paused,
    version: ctx.version,
    providers: [...ctx.table.providers.values()].map((p) => ({
      key: p.key,
      style: p.style.id,
      base: p.base.href,
      origin: p.customOrigin ? p.origin.href : undefined,
      mode: p.mode,
      hasKey: Boolean(p.apiKey),
      builtIn: p.builtIn,
    })),
  };
}

function syncView(ctx: GatewayContext) {
  if (!ctx.sync) {
    const why = ctx.config.lava.secretKey
      ? 'lava.sync is off'
      : 'no Lava secret key configured (lava.secretKey, LAVA_SECRET_KEY or lava-desktop login)';
    return { state: 'disabled', reason: why, pending: 0 };
  }
  return { ...ctx.sync.status(), pushes: ctx.sync.pushes };
}

function streamEvents(ctx: GatewayContext, req: Request, res: Response): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  const send = (n: NumberedEvent) => {
    if (!res.destroyed) res.write(`id: ${n.id}\nevent: ${n.event.type}\ndata: ${JSON.stringify(n.event)}\n\n`);
  };
  const last = Number(req.headers['last-event-id'] ?? NaN);
  if (Number.isInteger(last)) for (const n of ctx.events.since(last)) send(n);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ctx.events.on('event', send);
  res.on('close', () => {
    clearInterval(ping);
    ctx.events.off('event', send);
  });
}
