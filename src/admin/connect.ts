/** `/api/connect`: how to point each tool at this gateway (the Connect page), from src/connect/. */
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import { CURSOR_NOTE, toolSnippets } from '../connect/snippets.js';

export function connectRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/api/connect', (_req, res) =>
    res.json({ baseUrl: ctx.url, tools: toolSnippets(ctx.url), cursor: CURSOR_NOTE }),
  );
  return r;
}
