/**
 * Dashboard entry (browser code: talks only to /api over HTTP and /api/events over SSE; no Node
 * imports). The dashboard itself is built in its own issue; this placeholder keeps the folder's
 * type-check boundary in place.
 */
export const DASHBOARD_PLACEHOLDER = true;
