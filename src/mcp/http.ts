/**
 * `/mcp`: the MCP tools over streamable HTTP, stateless (a server and transport per request).
 * Admin token required; Host and Origin are checked before this route like every /api route, as
 * loopback MCP servers are a known DNS-rebinding target.
 */
import { Router } from 'express';
import express from 'express';
import type { GatewayContext } from '../context.js';
import { requireAuth } from '../admin/auth.js';

/** The MCP SDK is loaded on the first /mcp call, not at start-up: most gateways never serve one. */
const loadMcp = () => Promise.all([import('@modelcontextprotocol/sdk/server/streamableHttp.js'), import('./tools.js')]);

export function mcpRoute(ctx: GatewayContext): Router {
  const r = Router();
  r.use(
    '/mcp',
    requireAuth(() => [ctx.adminToken], '/mcp'),
    express.json({ limit: '4mb' }),
  );
  r.post('/mcp', async (req, res) => {
    const [{ StreamableHTTPServerTransport }, { createMcpServer }] = await loadMcp();
    const link = { url: ctx.url, adminToken: ctx.adminToken, localKey: ctx.config.security.localKey };
    // Stateless: each call is a new server that never saw `initialize`, so the caller is known by its User-Agent.
    const server = createMcpServer(link, { userAgent: req.get('user-agent') });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // Stateless: no server-initiated stream and no sessions to end.
  r.all('/mcp', (_req, res) => {
    res
      .status(405)
      .set('allow', 'POST')
      .json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: use POST' }, id: null });
  });
  return r;
}
