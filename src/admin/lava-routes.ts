/**
 * `/v1/requests`, `/v1/requests/:id`, `/v1/usage` and `/v1/models` served from the local store
 * in Lava's shapes. Bearer: the admin token or the configured Lava secret key.
 */
import { Router } from 'express';
import { z } from 'zod';
import { findProvider } from '@pydantic/genai-prices';
import type { GatewayContext } from '../context.js';
import { requireAuth } from './auth.js';
import { badRequest, notFound, parse, withCursor } from './query.js';
import { offsetMinutes, toRestRequest, toRestUsage } from './lava-shapes.js';
import { priceProviderId } from '../providers/table.js';

const listQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date');
const usageQuery = z.object({ start: isoDate, end: isoDate.optional() });

export function lavaRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/v1/models', (_req, res) => {
    res.json({ object: 'list', data: routableModels(ctx) });
  });
  r.use(
    ['/v1/requests', '/v1/usage'],
    requireAuth(() => [ctx.adminToken, ctx.config.lava.secretKey], 'this route'),
  );
  r.get('/v1/requests', async (req, res) => {
    const q = parse(listQuery, req.query);
    const page = await withCursor(() => ctx.store.list({ cursor: q.cursor, limit: q.limit }));
    const body: Record<string, unknown> = { data: page.data.map(toRestRequest), has_more: Boolean(page.nextCursor) };
    if (page.nextCursor) body.next_cursor = page.nextCursor;
    res.json(body);
  });
  r.get('/v1/requests/:id', async (req, res) => {
    const rec = await ctx.store.get(req.params.id);
    if (!rec) throw notFound(`no request ${req.params.id}`);
    res.json(toRestRequest(rec));
  });
  r.get('/v1/usage', async (req, res) => {
    const q = parse(usageQuery, req.query);
    const start = new Date(q.start);
    const end = q.end ? new Date(q.end) : new Date();
    if (end <= start) throw badRequest('end must be after start');
    // Rollups are hourly: include the hour that holds `end`.
    const rows = await ctx.store.rollups(start, new Date(end.getTime() + 3_599_999));
    res.json(toRestUsage(rows, start, end, offsetMinutes(q.start)));
  });
  return r;
}

/** Models of providers that can be reached (a key, Lava mode, or a custom origin). */
function routableModels(ctx: GatewayContext) {
  const out: { id: string; object: 'model'; created: number; owned_by: string }[] = [];
  for (const p of ctx.table.providers.values()) {
    if (!p.apiKey && p.mode !== 'lava' && !p.customOrigin) continue;
    const priced = findProvider({ providerId: priceProviderId(p.key) });
    for (const m of priced?.models ?? [])
      out.push({ id: `${p.key}/${m.id}`, object: 'model', created: 0, owned_by: p.key });
  }
  return out;
}
