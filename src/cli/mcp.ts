/**
 * `lava-desktop mcp`: the MCP tools over stdio, for agents (`claude mcp add lava-desktop -- lava-desktop mcp`).
 * Talks to the running gateway (found through gateway.json); with none running, starts one in
 * this process on a free port. stdout carries the protocol: everything else goes to stderr.
 */
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { parse } from './args.js';
import { configFromEnv } from '../config.js';
import { defaultDataDir, isAlive, readGatewayInfo, readSavedLayers } from '../data-dir.js';
import { startGateway } from '../index.js';
import { createMcpServer, type GatewayLink } from '../mcp/tools.js';

export const MCP_HELP = `Usage: lava-desktop mcp [--data-dir DIR]

Serves Lava Desktop's MCP tools over stdio (lava_login, lava_chat_completions, lava_messages, lava_forward, lava_rewrite,
lava_generate_forward_token, lava_usage, lava_requests, lava_budget). Uses the running gateway, or starts one in-process.`;

export async function mcp(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' } }, 'mcp');
  if (values.help) {
    console.log(MCP_HELP);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const info = readGatewayInfo(dataDir);
  let link: GatewayLink;
  let stop = async () => undefined as void;
  if (info && isAlive(info.pid)) {
    link = { url: info.url, adminToken: info.adminToken, localKey: info.localKey };
  } else {
    const layers = { ...readSavedLayers(dataDir), env: configFromEnv(process.env) };
    const gw = await startGateway({ layers, dataDir, port: 0, log: (m) => console.error(m) });
    link = { url: gw.url, adminToken: gw.adminToken, localKey: readGatewayInfo(dataDir)?.localKey };
    stop = async () => {
      await gw.stop();
    };
    console.error(`lava-desktop mcp: no gateway running; started one on ${gw.url}`);
  }
  // The agent starts this process in its project: lava_budget's default project.
  const server = createMcpServer(link, { cwd: process.cwd() });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((done) => {
    transport.onclose = () => done();
    process.stdin.once('end', () => done());
  });
  await stop();
  return 0;
}
