/**
 * The MCP tools (PRODUCT.md §9), served over stdio (`lava-desktop mcp`) and streamable HTTP
 * (`/mcp`). Every tool talks to a gateway over HTTP (link.ts), so the same code serves both
 * transports; errors come back as tool errors a model can act on.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../version.js';
import type { GatewayLink } from './link.js';
import { MODEL_TOOLS } from './model-tools.js';
import { ACCOUNT_TOOLS } from './account-tools.js';

export type { GatewayLink } from './link.js';

export function createMcpServer(link: GatewayLink): McpServer {
  const server = new McpServer({ name: 'lava-desktop', version: VERSION });
  for (const t of [...ACCOUNT_TOOLS, ...MODEL_TOOLS])
    server.registerTool(t.name, t.config, ((args: unknown) => t.run(link, args)) as never);
  return server;
}
