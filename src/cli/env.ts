/** `lava-desktop env`: the exports that point tools at the running gateway, for sh, fish or PowerShell. */
import { resolve } from 'node:path';
import { parse, UsageError } from './args.js';
import { defaultDataDir, isAlive, readGatewayInfo } from '../data-dir.js';
import { CURSOR_NOTE, ENV_TOOLS, envVars } from '../connect/snippets.js';

export const ENV_HELP = `Usage: lava-desktop env [--shell sh|fish|powershell] [--tool claude-code|codex|aider|cursor] [--data-dir DIR]

Prints the environment variables that point your tools at the running gateway, e.g.
  eval "$(lava-desktop env)"                      (sh, bash, zsh)
  lava-desktop env --shell fish | source
  lava-desktop env --shell powershell | Invoke-Expression`;

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
  if (values.tool !== undefined && !(ENV_TOOLS as readonly string[]).includes(values.tool))
    throw new UsageError(`--tool: "${values.tool}" must be one of ${ENV_TOOLS.join(', ')}`);
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  if (!info || !isAlive(info.pid)) {
    console.error('lava-desktop env: no running gateway found (start one with: lava-desktop serve)');
    return 1;
  }
  // A comment is harmless to every shell's eval.
  if (values.tool === 'cursor') console.log(`# ${CURSOR_NOTE}`);
  const quote = (v: string) => `'${v.replace(/'/g, shell === 'powershell' ? "''" : `'\\''`)}'`;
  for (const [k, v] of envVars(info.url, values.tool, info.localKey)) {
    if (shell === 'fish') console.log(`set -gx ${k} ${quote(v)};`);
    else if (shell === 'powershell') console.log(`$env:${k} = ${quote(v)}`);
    else console.log(`export ${k}=${quote(v)}`);
  }
  return 0;
}
