/** `lava-desktop env`: the exports that point tools at the running gateway, for sh, fish or PowerShell. */
import { resolve } from 'node:path';
import { parse, UsageError } from './args.js';
import { defaultDataDir, readGatewayInfo } from '../data-dir.js';

export const ENV_HELP = `Usage: lava-desktop env [--shell sh|fish|powershell] [--tool claude-code|codex|aider|cursor] [--data-dir DIR]

Prints the environment variables that point your tools at the running gateway, e.g.
  eval "$(lava-desktop env)"                      (sh, bash, zsh)
  lava-desktop env --shell fish | source
  lava-desktop env --shell powershell | Invoke-Expression`;

export const TOOLS = ['claude-code', 'codex', 'aider', 'cursor'] as const;

/**
 * The variables each tool reads (all of them without --tool). With `security.localKey` set, tools
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

export async function env(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { shell: { type: 'string' }, tool: { type: 'string' }, 'data-dir': { type: 'string' } },
    'env',
  );
  if (values.help) {
    console.log(ENV_HELP);
    return 0;
  }
  const shell = values.shell ?? 'sh';
  if (!['sh', 'fish', 'powershell'].includes(shell))
    throw new UsageError(`--shell: "${shell}" must be sh, fish or powershell`);
  if (values.tool !== undefined && !(TOOLS as readonly string[]).includes(values.tool))
    throw new UsageError(`--tool: "${values.tool}" must be one of ${TOOLS.join(', ')}`);
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  if (!info || !isAlive(info.pid)) {
    console.error('lava-desktop env: no running gateway found (start one with: lava-desktop serve)');
    return 1;
  }
  // A comment is harmless to every shell's eval.
  if (values.tool === 'cursor')
    console.log(
      "# Cursor sends its model requests from Cursor's servers, not from this machine: a local gateway cannot serve it.",
    );
  const quote = (v: string) => `'${v.replace(/'/g, shell === 'powershell' ? "''" : `'\\''`)}'`;
  for (const [k, v] of envVars(info.url, values.tool, info.localKey)) {
    if (shell === 'fish') console.log(`set -gx ${k} ${quote(v)};`);
    else if (shell === 'powershell') console.log(`$env:${k} = ${quote(v)}`);
    else console.log(`export ${k}=${quote(v)}`);
  }
  return 0;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
