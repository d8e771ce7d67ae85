/**
 * Admin actions: pause and resume the gateway (or one tool the runaway guard paused, and what it
 * holds: `GET /api/guards`), sync now, a test request per provider, and a Lava
 * forward token built from the configured secret key (for the MCP tool).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';
import { setPaused } from '../context.js';
import type { Provider } from '../providers/types.js';
import { forwardToken } from '../lava/token.js';
import { badRequest, conflict, parse } from './query.js';

const tokenBody = z
  .object({
    customer_id: z.string().min(1).optional(),
    meter_slug: z.string().min(1).optional(),
    provider_key: z.string().min(1).optional(),
    disable_billing: z.boolean().optional(),
  })
  .strict();

const resumeBody = z.object({ tool: z.string().min(1).max(100).optional() }).strict();

/** The runaway guard's limits, the tools it paused, and each watched tool's current minute and hour. */
export function guardsView(ctx: GatewayContext) {
  const { requestsPerMinute, dollarsPerHour } = ctx.config.guards.runaway;
  return {
    limits: { requestsPerMinute, dollarsPerHour },
    tripped: ctx.runaway?.tripped() ?? [],
    tools: ctx.runaway?.usage() ?? [],
  };
}

export function controlRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.post('/api/pause', (_req, res) => res.json({ paused: setPaused(ctx, true) }));
  r.post('/api/resume', (req, res) => {
    const { tool } = parse(resumeBody, req.body ?? {}, 'body');
    if (tool === undefined) return void res.json({ paused: setPaused(ctx, false) });
    if (!ctx.runaway?.resume(tool)) throw conflict('not_tripped', `${tool} is not paused by the runaway guard`);
    res.json({ tool, resumed: true, ...guardsView(ctx) });
  });
  r.get('/api/guards', (_req, res) => res.json(guardsView(ctx)));
  r.get('/api/sync', (_req, res) => res.json(syncView(ctx)));
  r.post('/api/sync', async (_req, res) => {
    if (!ctx.sync) throw conflict('sync_disabled', 'sync is not configured');
    await ctx.sync.syncNow();
    res.json(syncView(ctx));
  });
  r.post('/api/test-request', async (req, res) => {
    const key = (req.body as { provider?: unknown } | undefined)?.provider;
    const p = typeof key === 'string' ? ctx.table.providers.get(key) : undefined;
    if (!p) throw badRequest('provider: unknown provider');
    res.json(await testRequest(ctx, p));
  });
  r.post('/api/forward-token', (req, res) => {
    const secret = ctx.config.lava.secretKey;
    if (!secret)
      throw conflict(
        'no_lava_key',
        'no Lava secret key is configured (lava.secretKey, LAVA_SECRET_KEY or lava-desktop login)',
      );
    const q = parse(tokenBody, req.body, 'body');
    if (q.customer_id && !q.meter_slug) throw badRequest('customer_id needs meter_slug');
    res.json({ token: forwardToken({ secret_key: secret, ...q }) });
  });
  return r;
}

export function syncView(ctx: GatewayContext) {
  if (!ctx.sync) {
    const why = ctx.config.lava.secretKey
      ? 'lava.sync is off'
      : 'no Lava secret key configured (lava.secretKey, LAVA_SECRET_KEY or lava-desktop login)';
    return { state: 'disabled', reason: why, pending: 0 };
  }
  return { ...ctx.sync.status(), pushes: ctx.sync.pushes };
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
