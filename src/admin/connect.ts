/**
 * `/api/connect`: how to point each tool at this gateway (the Connect page), from src/connect/:
 * the snippets, and per agent whether it is installed and connected and its last request seen;
 * `POST`/`DELETE /api/connect/:tool` connect or disconnect it for this gateway's own URL and
 * return the diff. An unknown tool or Cursor is a 400, a config file that does not parse a 409.
 */
import { homedir } from 'node:os';
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import { GatewayError } from '../lib/errors.js';
import { CURSOR_NOTE, toolSnippets } from '../connect/snippets.js';
import type { Where } from '../connect/connector.js';
import { ConnectError } from '../connect/errors.js';

/** Loaded on the first /api/connect request: the config-file parsers (YAML, JSONC, TOML, diff) are not start-up's. */
const connector = () => import('../connect/connector.js');

const where = (ctx: GatewayContext): Where => ({ home: homedir(), dataDir: ctx.dataDir, env: process.env });

function asGatewayError(e: unknown): unknown {
  if (!(e instanceof ConnectError)) return e;
  return e.kind === 'parse'
    ? new GatewayError(409, 'config_unparsable', e.message)
    : new GatewayError(400, e.kind === 'unknown-tool' ? 'unknown_tool' : 'cannot_connect', e.message);
}

export function connectRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/api/connect', async (_req, res) => {
    const { agentStatuses } = await connector();
    const agents = (await agentStatuses(ctx.url, where(ctx))).map((a) => ({
      ...a,
      lastSeen: ctx.lastSeen?.get(a.id) ?? null,
    }));
    res.json({ baseUrl: ctx.url, tools: toolSnippets(ctx.url), cursor: CURSOR_NOTE, agents });
  });
  r.post('/api/connect/:tool', async (req, res) => {
    const opts = { url: ctx.url, ...(ctx.config.security.localKey ? { localKey: ctx.config.security.localKey } : {}) };
    try {
      const { connectTool } = await connector();
      const out = await connectTool(req.params.tool, opts, where(ctx));
      res.json({ ok: true, changed: out.changed, diff: out.diff, notes: out.notes });
    } catch (e) {
      throw asGatewayError(e);
    }
  });
  r.delete('/api/connect/:tool', async (req, res) => {
    try {
      const { disconnectTool } = await connector();
      const out = await disconnectTool(req.params.tool, where(ctx));
      res.json({ ok: true, changed: out.changed, diff: out.diff, notes: out.notes });
    } catch (e) {
      throw asGatewayError(e);
    }
  });
  return r;
}
