/**
 * `<data-dir>/guards.json`: the tools the runaway guard paused, and how each tool was last billed.
 * Kept so a restart (a reboot, the background service starting again) neither lets a paused tool
 * spend again before someone resumes it, nor misses a switch from a plan to an API key. Written
 * only when one of them changes (a trip, a resume, a tool's billing), never per request; a file
 * that does not parse or is not ours is moved aside, as every data-dir file is.
 */
import { join } from 'node:path';
import { openJsonFile, type Log } from '../store/json-file.js';
import type { GuardState, Trip } from './runaway.js';

export type { GuardState };

export const GUARDS_FILE = 'guards.json';

const REASONS = new Set(['requestsPerMinute', 'dollarsPerHour']);
const BILLINGS = new Set(['subscription', 'api', 'lava']);

const isTrip = (t: unknown): t is Trip => {
  const x = t as Partial<Trip> | null;
  return (
    typeof x?.tool === 'string' &&
    REASONS.has(x.reason as string) &&
    typeof x.value === 'number' &&
    typeof x.limit === 'number' &&
    typeof x.at === 'string'
  );
};

export function isGuardState(v: unknown): v is GuardState {
  const s = v as Partial<GuardState> | null;
  if (!s || !Array.isArray(s.paused) || !s.paused.every(isTrip)) return false;
  if (typeof s.billing !== 'object' || s.billing === null || Array.isArray(s.billing)) return false;
  return Object.values(s.billing).every((b) => BILLINGS.has(b as string));
}

export interface GuardStateFile {
  initial: GuardState;
  /** Saves this state (after the writes asked before it); a failure is logged, the guard goes on in memory. */
  save(state: GuardState): void;
  /** Resolves once every save asked so far has been tried. */
  flushed(): Promise<void>;
}

export async function openGuardState(dataDir: string, log: Log): Promise<GuardStateFile> {
  const file = join(dataDir, GUARDS_FILE);
  const db = await openJsonFile<GuardState>(file, () => ({ paused: [], billing: {} }), isGuardState, log);
  let last: Promise<void> = Promise.resolve();
  return {
    initial: structuredClone(db.data),
    save(state) {
      db.data = state;
      last = db.write().catch((e: Error) => log(`guards: cannot save ${file} (${e.message}); kept in memory`));
    },
    flushed: () => last,
  };
}
