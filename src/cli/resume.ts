/**
 * `lava-desktop resume --tool X`: lets a tool the runaway guard paused send again, through the
 * running gateway's admin API. Exit codes: 0 resumed, 1 no gateway or the tool was not paused,
 * 2 bad flags. One line each.
 */
import { resolve } from 'node:path';
import { parse, UsageError } from './args.js';
import { defaultDataDir, isAlive, readGatewayInfo } from '../data-dir.js';

export const RESUME_HELP = `Usage: lava-desktop resume --tool TOOL [--data-dir DIR]

Resumes a tool (claude-code, codex, …) that the runaway guard paused (guards.runaway): its
requests pass again, counted afresh. Exit 0 resumed, 1 not running or not paused.`;

export async function resume(argv: string[]): Promise<number> {
  const { values } = parse(argv, { tool: { type: 'string' }, 'data-dir': { type: 'string' } }, 'resume');
  if (values.help) {
    console.log(RESUME_HELP);
    return 0;
  }
  const tool = values.tool?.trim();
  if (!tool) throw new UsageError('resume: --tool is required (see lava-desktop resume --help)');
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  if (!info || !isAlive(info.pid)) {
    const why = info ? 'its process has ended' : 'no gateway.json in the data dir';
    console.error(`lava-desktop: Lava Desktop is not running (${why}); a restart resumes every tool anyway`);
    return 1;
  }
  let res: Response;
  try {
    res = await fetch(`${info.url}/api/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tool }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (e) {
    console.error(`lava-desktop: the gateway at ${info.url} does not answer: ${(e as Error).message}`);
    return 1;
  }
  if (res.ok) {
    console.log(`${tool} resumed: its requests pass again`);
    return 0;
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  console.error(`lava-desktop: ${body.error?.message ?? `the gateway answered HTTP ${res.status}`}`);
  return 1;
}
