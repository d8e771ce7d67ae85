/**
 * Finds one session's file on demand, for a session id the watcher has not seen (its file was last
 * written before the start-up window). Cheap by construction: Claude Code names the transcript after
 * the session (`<projects>/<dir>/<sessionId>.jsonl`), so one readdir of the project dirs and a stat
 * per dir; a Codex id is a UUID v7 whose first 48 bits are its creation time, which names the day
 * dir (`<sessions>/YYYY/MM/DD/rollout-…-<id>.jsonl`), so one or two readdirs. Never a full scan.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `<projects>/<any dir>/<sessionId>.jsonl`, if there is one. */
export async function findClaudeTranscript(projects: string, session: string): Promise<string | undefined> {
  if (!UUID.test(session)) return undefined;
  const dirs = await readdir(projects, { withFileTypes: true }).catch(() => []);
  const name = `${session}.jsonl`;
  for (const d of dirs) {
    if (!d.isDirectory()) continue;
    const file = join(projects, d.name, name);
    const st = await stat(file).catch(() => undefined);
    if (st?.isFile()) return file;
  }
  return undefined;
}

/** The rollout of a Codex session whose id is a UUID v7, if there is one. */
export async function findCodexRollout(sessions: string, session: string): Promise<string | undefined> {
  const ms = uuidV7Time(session);
  if (ms === undefined) return undefined;
  for (const day of dayDirs(ms)) {
    const dir = join(sessions, ...day);
    const names = await readdir(dir).catch(() => [] as string[]);
    const hit = names.find((n) => n.startsWith('rollout-') && n.endsWith(`-${session}.jsonl`));
    if (hit) return join(dir, hit);
  }
  return undefined;
}

/** The creation time (ms) a UUID v7 carries, or undefined for any other id. */
export function uuidV7Time(id: string): number | undefined {
  if (!UUID.test(id) || id[14] !== '7') return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Codex files a rollout under its local creation day; UTC's day too, in case the zone differs. */
function dayDirs(ms: number): string[][] {
  const d = new Date(ms);
  const local = [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  const utc = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const fmt = (p: number[]) => [String(p[0]), pad(p[1]!), pad(p[2]!)];
  const out = [fmt(local)];
  if (utc.join() !== local.join()) out.push(fmt(utc));
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
