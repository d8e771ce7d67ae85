/**
 * Attribution's place in the gateway (PRODUCT.md §13): a finished record is handed to the
 * Attributor, which joins it to its agent's project, branch and session from the session files
 * and writes them onto the record (the store moves its rollup share) up to 60 s later. The
 * watcher and chokidar load after start-up, off the request path; until then records are queued.
 */
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { RequestRecord, UsageStore } from '../store/types.js';
import type { Attributor } from '../attribution/attributor.js';

export interface AttributionHandle {
  note(r: RequestRecord): void;
  /** The project a session is known to run in, if its files were read (for budget scopes at admission). */
  projectOf(session: string): string | null;
  close(): Promise<void>;
}

/** Records noted before the watcher is up wait here (bounded). */
const EARLY_CAP = 1000;

export function startAttribution(
  host: { store: Pick<UsageStore, 'update'> },
  home = homedir(),
  log: (m: string) => void = () => undefined,
  /** Told of each record attribution changed (budgets move its spend into its project). */
  onUpdated: (r: RequestRecord) => void = () => undefined,
): AttributionHandle {
  const early: RequestRecord[] = [];
  let attributor: Attributor | undefined;
  let index: { session(id: string): { project: string | null } | undefined } | undefined;
  let closeWatcher: (() => Promise<void>) | undefined;
  let closed = false;
  const ready = import('../attribution/index.js').then(({ Attributor, SessionWatcher }) => {
    if (closed) return;
    const env = process.env;
    const watcher = new SessionWatcher({
      home,
      claudeProjects: env.CLAUDE_CONFIG_DIR ? join(env.CLAUDE_CONFIG_DIR, 'projects') : undefined,
      codexSessions: env.CODEX_HOME ? join(env.CODEX_HOME, 'sessions') : undefined,
    });
    watcher.start();
    index = watcher.index;
    closeWatcher = () => watcher.close();
    attributor = new Attributor({
      watcher,
      update: (id, patch) =>
        host.store.update(id, patch).then(
          (r) => r && onUpdated(r),
          (e: Error) => log(`attribution: cannot update ${id}: ${e.message}`),
        ),
    });
    for (const r of early.splice(0)) noteNow(attributor, r);
  });
  ready.catch((e: Error) => log(`attribution: cannot start: ${e.message}`));
  return {
    note: (r) => {
      if (attributor) noteNow(attributor, r);
      else if (early.length < EARLY_CAP) early.push(r);
    },
    projectOf: (session) => index?.session(session)?.project ?? null,
    close: async () => {
      closed = true;
      await ready.catch(() => undefined);
      attributor?.close();
      await closeWatcher?.();
    },
  };
}

function noteNow(a: Attributor, r: RequestRecord): void {
  a.note(
    { id: r.id, tool: r.tool ?? null, ...(r.responseId ? { responseId: r.responseId } : {}) },
    r.session ? { session: r.session } : {},
  );
}
