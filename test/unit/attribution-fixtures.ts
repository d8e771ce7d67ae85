/** Test data for attribution: the saved session files, with their times moved to now, and temp homes. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixture } from './fixtures.js';

export const CLAUDE_SESSION = '3f2b8c1e-6d4a-4e7b-9a5c-1b2d3e4f5a6b';
export const CLAUDE_CWD = '/home/dev/work/lava-api';
/** The first response (on `main`) and the later one (after a switch to `feature/health`). */
export const MSG_MAIN = 'msg_01XFDUDYJgAACzvnptvVoYEL';
export const MSG_FEATURE = 'msg_01Hk3Pq9ZtW2eXcRnV7bLmSa';
export const CODEX_SESSION = '0196ed2a-5b3c-7d4e-8f60-1a2b3c4d5e6f';
export const CODEX_CWD = '/home/dev/work/billing';

/** A saved session file with every `timestamp` a moment ago (the index forgets responses older than a day). */
export function fresh(name: string): string {
  const base = Date.now() - 60_000;
  let i = 0;
  return fixture(`attribution/${name}`).replace(/"timestamp":"[^"]+"/g, () => {
    return `"timestamp":"${new Date(base + i++ * 10).toISOString()}"`;
  });
}

/** The lines of a saved file, each with its newline. */
export const linesOf = (text: string): string[] => text.split(/(?<=\n)/);

export async function tempHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lava-attr-'));
}

/** Where Claude Code keeps a session's transcript for `cwd` (every "/" and "." becomes "-"). */
export function claudeFile(home: string, cwd: string, session: string): string {
  return join(home, '.claude', 'projects', cwd.replace(/[/.]/g, '-'), `${session}.jsonl`);
}

/** Where Codex keeps a rollout started at `at`. */
export function codexFile(home: string, at: Date, session: string): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const day = [String(at.getFullYear()), p(at.getMonth() + 1), p(at.getDate())];
  const ts = `${day.join('-')}T${p(at.getHours())}-${p(at.getMinutes())}-${p(at.getSeconds())}`;
  return join(home, '.codex', 'sessions', ...day, `rollout-${ts}-${session}.jsonl`);
}

export async function put(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
