/**
 * Attribution (PRODUCT.md §13 "Where spend comes from"): which project (working directory), git
 * branch and session of Claude Code or Codex a recorded request came from, joined exactly from what
 * the request carried and from the tools' own session files, read incrementally as they grow.
 *
 * Use:
 *   const watcher = new SessionWatcher({ home });          // home defaults to os.homedir()
 *   watcher.start();                                       // returns at once; reads in the background
 *   const attributor = new Attributor({ watcher, update: (id, patch) => store.patch(id, patch) });
 *   // for each recorded request, off the request path:
 *   attributor.note({ id, tool, responseId }, sessionHints(req.headers, requestJson));
 *   // update(id, { project, branch, session }) is called once per record that can be joined
 *   // (at once, or within 60 s); never for one that cannot (its fields stay null).
 *   attributor.close(); await watcher.close();            // at shutdown
 *
 * `sessionHints(headers, json)` is pure and cheap (header lookups, one field of the parsed body).
 * `attributor.stats()` → { joined, unattributed, sessionOnly }; `attributor.pending()` → records waiting.
 */
export { sessionHints, type SessionHints, type HeaderBag } from './hints.js';
export { SessionIndex, type Place, type SessionEntry, type IndexOptions } from './session-index.js';
export { SessionWatcher, type WatcherOptions } from './watcher.js';
export {
  Attributor,
  type AttributorOptions,
  type AttributionPatch,
  type AttributionStats,
  type NotedRecord,
} from './attributor.js';
