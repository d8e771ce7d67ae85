/**
 * Which tool sent a request (PRODUCT.md §5, §13): the record's `tool` is its route tag when the
 * tag names a known tool, else the tool its User-Agent names, else null; `client` is the same
 * name, or the User-Agent's first word for clients no rule knows. The rules are data: the
 * User-Agents the tools really send (see the README's table), first match wins.
 */
export interface ToolRule {
  id: string;
  /** Tested against the User-Agent header. */
  ua: RegExp;
}

export const TOOL_RULES: readonly ToolRule[] = [
  // Claude Code: `claude-cli/2.1.3 (external, cli)` (`claude-vscode`, `sdk-cli` as the entry point).
  { id: 'claude-code', ua: /^claude-cli\/|claude-code/i },
  // Codex: `<originator>/<version> (<os>; <arch>) <terminal>`, originator codex_cli_rs, codex_exec, codex-tui, codex_vscode.
  { id: 'codex', ua: /^codex[_-]|^codex\//i },
  // Gemini CLI: `GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)`, or `GeminiCLI-<client>/…`.
  { id: 'gemini-cli', ua: /^GeminiCLI[-/]/i },
  // Qwen Code (a Gemini CLI fork): `QwenCode/0.1.0 (linux; x64)`.
  { id: 'qwen-code', ua: /^QwenCode\//i },
  // opencode: `opencode/1.18.0` first, for every provider but its Anthropic one (connect tags that route).
  { id: 'opencode', ua: /^opencode\//i },
  // aider sets no User-Agent of its own (its OpenAI calls say `OpenAI/Python`): known by its tag, or this.
  { id: 'aider', ua: /aider/i },
  // Goose sends no User-Agent of its own: known by its tag.
  { id: 'goose', ua: /^goose\b/i },
  { id: 'cursor', ua: /cursor/i },
  { id: 'mcp', ua: /lava-desktop-mcp/i },
  // The SDKs (`OpenAI/JS 6.2.0`, `Anthropic/Python 0.50.0`, `google-genai-sdk/1.2.0 gl-node/20`).
  { id: 'openai-node', ua: /^OpenAI\/JS/i },
  { id: 'openai-python', ua: /^(Async)?OpenAI\/Python/i },
  { id: 'anthropic-node', ua: /^Anthropic\/JS/i },
  { id: 'anthropic-python', ua: /^(Async)?Anthropic\/Python/i },
  { id: 'google-genai', ua: /google-genai-sdk|genai-js|google-api-nodejs-client/i },
  { id: 'ai-sdk', ua: /(^|\s)ai-sdk\//i },
  { id: 'litellm', ua: /^litellm\//i },
  { id: 'lava', ua: /lava/i },
  { id: 'curl', ua: /^curl\//i },
  { id: 'python', ua: /python-requests|python-httpx|aiohttp/i },
  { id: 'node', ua: /^node$|undici|node-fetch/i },
  { id: 'browser', ua: /Mozilla\// },
];

/** Tags that name a tool: such a tag is the record's `tool`. */
const KNOWN = new Set(TOOL_RULES.map((r) => r.id));

/** The tool a User-Agent names, or null. */
export function toolOf(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  for (const r of TOOL_RULES) if (r.ua.test(userAgent)) return r.id;
  return null;
}

/** The record's `tool`: a tag naming a known tool wins over the User-Agent. */
export function toolFor(tag: string | null, userAgent: string | undefined): string | null {
  return tag !== null && KNOWN.has(tag) ? tag : toolOf(userAgent);
}

/** The record's `client`: the tool, else the User-Agent's first word, else `unknown`. */
export function clientOf(userAgent: string | undefined, tool = toolOf(userAgent)): string {
  if (tool) return tool;
  if (!userAgent) return 'unknown';
  return userAgent.split(/[\s/]/)[0]!.slice(0, 32).toLowerCase() || 'unknown';
}
