/**
 * The MCP tools (PRODUCT.md §9), served over stdio (`lava-desktop mcp`) and streamable HTTP
 * (`/mcp`). Every tool talks to a gateway over HTTP (link.ts), so the same code serves both
 * transports; errors come back as tool errors a model can act on.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../version.js';
import type { GatewayLink } from './link.js';
import type { Caller } from './caller.js';
import { BUDGET_TOOLS } from './budget-tool.js';
import { MODEL_TOOLS } from './model-tools.js';
import { ACCOUNT_TOOLS } from './account-tools.js';

export type { GatewayLink } from './link.js';
export type { Caller } from './caller.js';

/** `caller`: what the transport knows of who calls (the client's name is read from `initialize` at each call). */
export function createMcpServer(link: GatewayLink, caller: Caller = {}): McpServer {
  const server = new McpServer({ name: 'lava-desktop', version: VERSION });
  const who = (): Caller => {
    const name = server.server.getClientVersion()?.name;
    return name ? { ...caller, clientName: name } : caller;
  };
  for (const t of [...ACCOUNT_TOOLS, ...BUDGET_TOOLS, ...MODEL_TOOLS])
    server.registerTool(t.name, t.config, ((args: unknown) => t.run(link, args, who())) as never);
  return server;
}
