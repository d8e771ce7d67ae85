/** The tools `connect` knows, in the order they are listed (ids are the contract's tool ids). */
import { ConnectError } from '../errors.js';
import { aider } from './aider.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import type { Tool } from './define.js';
import { geminiCli } from './gemini-cli.js';
import { opencode } from './opencode.js';

export type { Tool, ConnectOptions } from './define.js';

export const TOOLS: readonly Tool[] = [claudeCode, codex, geminiCli, opencode, aider, cursor];

export const TOOL_IDS = TOOLS.map((t) => t.id);

/** The tool by id; an unknown id is a ConnectError naming the known ones. */
export function toolById(id: string): Tool {
  const tool = TOOLS.find((t) => t.id === id);
  if (!tool) throw new ConnectError('unknown-tool', `unknown tool "${id}" (tools: ${TOOL_IDS.join(', ')})`);
  return tool;
}
