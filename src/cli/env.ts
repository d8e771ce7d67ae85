/** `lava-desktop env`: the exports that point tools at the running gateway. */
import { resolve } from 'node:path';
import { parse, UsageError } from './args.js';
import { defaultDataDir, readGatewayInfo } from '../data-dir.js';

export const ENV_HELP = `Usage: lava-desktop env [--shell sh|fish|powershell] [--data-dir DIR]

Prints the environment variables that point OpenAI, Anthropic and Gemini clients at the running
gateway, e.g.  eval "$(lava-desktop env)"`;

export function envVars(url: string): [string, string][] {
  return [
    ['OPENAI_BASE_URL', `${url}/openai/v1`],
    ['ANTHROPIC_BASE_URL', `${url}/anthropic`],
    ['GOOGLE_GEMINI_BASE_URL', `${url}/google`],
  ];
}

export async function env(argv: string[]): Promise<number> {
  const { values } = parse(argv, { shell: { type: 'string' }, 'data-dir': { type: 'string' } }, 'env');
  if (values.help) {
    console.log(ENV_HELP);
    return 0;
  }
  const shell = values.shell ?? 'sh';
  if (!['sh', 'fish', 'powershell'].includes(shell))
    throw new UsageError(`--shell: "${shell}" must be sh, fish or powershell`);
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  if (!info || !isAlive(info.pid)) {
    console.error('lava-desktop env: no running gateway found (start one with: lava-desktop serve)');
    return 1;
  }
  for (const [k, v] of envVars(info.url)) {
    if (shell === 'fish') console.log(`set -gx ${k} '${v}';`);
    else if (shell === 'powershell') console.log(`$env:${k} = '${v}'`);
    else console.log(`export ${k}='${v}'`);
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
