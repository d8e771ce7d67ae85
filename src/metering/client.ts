/** Names the client tool from its User-Agent, for the record's `client` field. */
const RULES: [RegExp, string][] = [
  [/claude-cli|claude-code/i, 'claude-code'],
  [/codex/i, 'codex'],
  [/aider/i, 'aider'],
  [/cursor/i, 'cursor'],
  [/^OpenAI\/JS/i, 'openai-node'],
  [/^OpenAI\/Python/i, 'openai-python'],
  [/^Anthropic\/JS/i, 'anthropic-node'],
  [/^Anthropic\/Python/i, 'anthropic-python'],
  [/lava-desktop-mcp/i, 'mcp'],
  [/lava/i, 'lava'],
  [/^curl\//i, 'curl'],
  [/python-requests|python-httpx|aiohttp/i, 'python'],
  [/^node$|undici|node-fetch/i, 'node'],
  [/Mozilla\//, 'browser'],
];

export function clientOf(userAgent: string | undefined): string {
  if (!userAgent) return 'unknown';
  for (const [re, name] of RULES) if (re.test(userAgent)) return name;
  return userAgent.split(/[\s/]/)[0]!.slice(0, 32).toLowerCase() || 'unknown';
}
