/**
 * How each tool is pointed at the gateway, in one place: the environment variables it reads
 * (`lava-desktop env`) and the snippet to paste (the dashboard's Connect page, the tray's
 * "Connect a tool"), each with the gateway's real URL.
 */
export interface ToolSnippet {
  id: string;
  name: string;
  text: string;
}

/** Tools `lava-desktop env --tool` knows (Cursor only to say why it cannot be served). */
export const ENV_TOOLS = ['claude-code', 'codex', 'aider', 'cursor'] as const;

/** Cursor's requests come from Cursor's servers: said instead of a setting that cannot work. */
export const CURSOR_NOTE =
  "Cursor sends its model requests from Cursor's own servers, not from this machine, so a gateway on 127.0.0.1 cannot serve it.";

/**
 * The variables each tool reads (all of them without a tool). With `security.localKey` set, tools
 * must send it: as their API key (the gateway injects the real one), or, for Claude Code, in a
 * header, so a Claude plan sign-in is kept (an API key would switch it to per-token billing).
 */
export function envVars(url: string, tool?: string, localKey?: string): [string, string][] {
  const openai: [string, string] = ['OPENAI_BASE_URL', `${url}/openai/v1`];
  const anthropic: [string, string] = ['ANTHROPIC_BASE_URL', `${url}/anthropic`];
  const keys = (...names: string[]): [string, string][] => (localKey ? names.map((n) => [n, localKey]) : []);
  const header: [string, string][] = localKey ? [['ANTHROPIC_CUSTOM_HEADERS', `x-lava-desktop-key: ${localKey}`]] : [];
  switch (tool) {
    case 'claude-code':
      return [anthropic, ...header];
    case 'codex':
      return [openai, ...keys('OPENAI_API_KEY')];
    case 'aider':
      return [['OPENAI_API_BASE', `${url}/openai/v1`], anthropic, ...keys('OPENAI_API_KEY', 'ANTHROPIC_API_KEY')];
    case 'cursor':
      return [];
    default:
      return [
        openai,
        ['OPENAI_API_BASE', `${url}/openai/v1`],
        anthropic,
        ['GOOGLE_GEMINI_BASE_URL', `${url}/google`],
        ...keys('OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY'),
        ...header,
      ];
  }
}

const exports = (vars: [string, string][]) => vars.map(([k, v]) => `export ${k}=${v}`).join('\n');

/** The snippets, in the order the dashboard shows them. */
export function toolSnippets(url: string): ToolSnippet[] {
  return [
    { id: 'claude-code', name: 'Claude Code', text: exports(envVars(url, 'claude-code')) },
    {
      id: 'codex',
      name: 'Codex CLI (~/.codex/config.toml)',
      text: `model_provider = "lava"\n\n[model_providers.lava]\nname = "Lava Desktop"\nbase_url = "${url}/openai/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"`,
    },
    { id: 'aider', name: 'aider', text: exports(envVars(url, 'aider')) },
    {
      id: 'openai-sdk',
      name: 'OpenAI SDK',
      text: `import OpenAI from 'openai';\nconst client = new OpenAI({ baseURL: '${url}/openai/v1' });`,
    },
    {
      id: 'anthropic-sdk',
      name: 'Anthropic SDK',
      text: `import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic({ baseURL: '${url}/anthropic' });`,
    },
    {
      id: 'lava-sdk',
      name: 'Lava SDK',
      text: `import { Lava } from '@lavapayments/nodejs';\nconst lava = new Lava(process.env.LAVA_SECRET_KEY, { baseUrl: '${url}/v1/' });`,
    },
    {
      id: 'curl',
      name: 'curl',
      text: `curl ${url}/openai/v1/chat/completions \\\n  -H 'content-type: application/json' \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'`,
    },
    { id: 'shell', name: 'Shell (any tool)', text: `eval "$(lava-desktop env)"` },
  ];
}

export const toolSnippet = (id: string, url: string): string | undefined =>
  toolSnippets(url).find((s) => s.id === id)?.text;
