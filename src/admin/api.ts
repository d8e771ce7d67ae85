/**
 * The admin API for the dashboard, CLI and shell (`/api/*`, admin token). This issue serves
 * settings (masked), requests, spend, pause/resume and the live event stream.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { GatewayContext, GatewayEvent } from '../context.js';
import { requireBearer } from './auth.js';
import { redact } from './redact.js';
import type { RollupRow } from '../store/types.js';
import { round10 } from '../store/rollups.js';
import { money } from '../metering/cost.js';

const DAY = 86_400_000;

export function adminApi(ctx: GatewayContext): Router {
  const r = Router();
  r.use(
    '/api',
    requireBearer(() => [ctx.adminToken], '/api'),
  );
  r.get('/api/settings', (_req, res) => {
    res.json({ settings: redact(ctx.config), dataDir: ctx.dataDir, paused: ctx.paused });
  });
  r.get('/api/requests', async (req, res) => {
    const q = z
      .object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(50) })
      .safeParse(req.query);
    if (!q.success)
      return void res.status(400).json({ error: { message: q.error.issues[0]!.message, code: 'invalid_request' } });
    const page = await ctx.store.list(q.data);
    res.json({ data: page.data, next_cursor: page.nextCursor ?? null });
  });
  r.get('/api/requests/:id', async (req, res) => {
    const rec = await ctx.store.get(req.params.id);
    if (!rec) return void res.status(404).json({ error: { message: 'no such request', code: 'not_found' } });
    res.json(rec);
  });
  r.get('/api/spend', async (_req, res) => {
    const now = Date.now();
    const dayStart = new Date(new Date(now).toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
    const rows = await ctx.store.rollups(new Date(dayStart - 29 * DAY), new Date(now + 3_600_000));
    res.json({
      today: totals(rows.filter((x) => Date.parse(`${x.hour}:00:00Z`) >= dayStart)),
      last7Days: totals(rows.filter((x) => Date.parse(`${x.hour}:00:00Z`) >= dayStart - 6 * DAY)),
      last30Days: totals(rows),
      drift: drift(rows),
    });
  });
  r.get('/api/sync', (_req, res) => {
    if (!ctx.sync) {
      const why = ctx.config.lava.secretKey
        ? 'lava.sync is off'
        : 'no Lava secret key configured (lava.secretKey, LAVA_SECRET_KEY or lava-desktop login)';
      return void res.json({ state: 'disabled', reason: why, pending: 0 });
    }
    res.json({ ...ctx.sync.status(), pushes: ctx.sync.pushes });
  });
  r.post('/api/sync', async (_req, res) => {
    if (!ctx.sync)
      return void res.status(409).json({ error: { message: 'sync is not configured', code: 'sync_disabled' } });
    await ctx.sync.syncNow();
    res.json({ ...ctx.sync.status(), pushes: ctx.sync.pushes });
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
  r.get('/api/events', (req, res) => streamEvents(ctx, res, () => req.socket.destroyed));
  return r;
}

function totals(rows: RollupRow[]) {
  let requests = 0;
  let tokens = 0;
  let cost = 0;
  let unpriced = 0;
  for (const r of rows) {
    requests += r.requests;
    tokens += r.total_tokens;
    cost = round10(cost + r.cost);
    unpriced += r.unpriced;
  }
  return { requests, tokens, cost: money(cost), unpriced };
}

/** Per provider × model over the rows: Lava's cost against the local estimate, for synced requests. */
function drift(rows: RollupRow[]) {
  const by = new Map<string, { provider: string; model: string; requests: number; lava: number; estimate: number }>();
  for (const r of rows) {
    if (!r.synced) continue;
    const key = `${r.provider}\t${r.model}`;
    const d = by.get(key) ?? { provider: r.provider, model: r.model, requests: 0, lava: 0, estimate: 0 };
    d.requests += r.synced;
    d.lava = round10(d.lava + r.synced_cost);
    d.estimate = round10(d.estimate + r.synced_estimate);
    by.set(key, d);
  }
  return [...by.values()].map((d) => ({
    ...d,
    lava: money(d.lava),
    estimate: money(d.estimate),
    difference: money(d.lava - d.estimate),
    ratio: d.estimate > 0 ? Number((d.lava / d.estimate).toFixed(4)) : null,
  }));
}

function streamEvents(ctx: GatewayContext, res: Response, gone: () => boolean): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  res.write(': lava-desktop events\n\n');
  let seq = 0;
  const send = (e: GatewayEvent) => {
    if (gone()) return;
    res.write(`id: ${++seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  };
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ctx.events.on('event', send);
  res.on('close', () => {
    clearInterval(ping);
    ctx.events.off('event', send);
  });
}
