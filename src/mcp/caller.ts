/**
 * Who calls an MCP tool, for `lava_budget`: the calling tool (its `tool` argument, else the MCP
 * client's `clientInfo.name`, else the User-Agent of a `/mcp` request) and its project (its
 * `project` argument, else the folder `lava-desktop mcp` was started in by the agent).
 */
import { isAbsolute, resolve } from 'node:path';
import { TOOL_IDS } from '../connect/tools/index.js';
import { toolOf } from '../metering/client.js';

/** What the transport knows of the caller. */
export interface Caller {
  /** The MCP client's `clientInfo.name` from `initialize` (stdio; a stateless /mcp call has none). */
  clientName?: string;
  /** The User-Agent of the `/mcp` request. */
  userAgent?: string;
  /** The working directory of `lava-desktop mcp` (started by the agent in its project). */
  cwd?: string;
}

/** MCP client names the agents send, to our tool ids (`codex-mcp-client`, `gemini-cli-mcp-client`, …). */
const CLIENT_NAMES: readonly [RegExp, string][] = [
  [/^claude[- ]code\b/i, 'claude-code'],
  [/^codex\b/i, 'codex'],
  [/^gemini[- ]cli\b/i, 'gemini-cli'],
  [/^qwen/i, 'qwen-code'],
  [/^opencode\b/i, 'opencode'],
  [/^aider\b/i, 'aider'],
  [/^goose\b/i, 'goose'],
  [/^cursor\b/i, 'cursor'],
];

/** Tool ids a User-Agent may name that are agents (not `node`, `curl`, an SDK or the MCP client itself). */
const AGENTS = new Set<string>([...TOOL_IDS, 'qwen-code', 'goose']);

/** Our tool id for an MCP client name, or null when no rule knows it. */
export function toolOfClient(name: string | undefined): string | null {
  if (!name) return null;
  return CLIENT_NAMES.find(([re]) => re.test(name))?.[1] ?? null;
}

/** The calling tool: the argument, else the client's name, else an agent's User-Agent, else null. */
export function callerTool(arg: string | undefined, c: Caller): string | null {
  if (arg) return arg;
  const byName = toolOfClient(c.clientName);
  if (byName) return byName;
  const byUa = toolOf(c.userAgent);
  return byUa && AGENTS.has(byUa) ? byUa : null;
}

/** The calling project: the argument (relative to the cwd when there is one), else the cwd, else null. */
export function callerProject(arg: string | undefined, c: Caller): string | null {
  const raw = arg ?? c.cwd;
  if (!raw) return null;
  if (!isAbsolute(raw) && !c.cwd) throw new Error(`project must be an absolute path (got "${raw}")`);
  const abs = resolve(c.cwd ?? '/', raw);
  return abs.length > 1 ? abs.replace(/[\\/]+$/, '') : abs;
}
