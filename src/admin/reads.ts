/** Reading what was recorded: requests (filtered, paged, by id), spend from rollups, CSV of a date range. */
import { Router } from 'express';
import { z } from 'zod';
import type { GatewayContext } from '../context.js';
import { exportCsv, listFiltered, listQuery } from './requests.js';
import { SPEND_BY, spendReport, spendWindow } from './spend.js';
import { budgetStatus } from '../record/admission.js';
import { badRequest, notFound, parse, withCursor } from './query.js';

const spendQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
  by: z.enum(SPEND_BY).default('model'),
});
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const csvQuery = z.object({ from: day, to: day });

export function readRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/api/requests', async (req, res) => {
    const q = parse(listQuery, req.query);
    res.json(await withCursor(() => listFiltered(ctx.store, q)));
  });
  r.get('/api/requests/:id', async (req, res) => {
    const rec = await ctx.store.get(req.params.id as string);
    if (!rec) throw notFound('no such request');
    res.json(rec);
  });
  r.get('/api/spend', async (req, res) => {
    const q = parse(spendQuery, req.query);
    const [from, to] = spendWindow(q.days);
    const report = spendReport(await ctx.store.rollups(from, to), q.days, q.by);
    res.json({ ...report, budgets: await budgetStatus(ctx) });
  });
  r.get('/api/export.csv', async (req, res) => {
    const q = parse(csvQuery, req.query);
    if (q.to < q.from) throw badRequest('to must not be before from');
    await exportCsv(ctx.store, q.from, q.to, res);
  });
  return r;
}
