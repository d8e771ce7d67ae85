/**
 * Request listing for the dashboard: newest first, filtered (provider, model, status, client, the
 * who-and-where fields, a time range, free text) while paging, so a filter never loads the whole
 * history; CSV export of a date range. A who-and-where filter of `(none)` matches records where
 * the field is not known.
 */
import type { Response } from 'express';
import { z } from 'zod';
import type { RequestRecord, UsageStore } from '../store/types.js';
import { csvCell } from '../lib/csv.js';

/** The filter value for "not known". */
export const NONE = '(none)';
const WHO = ['tool', 'tag', 'project', 'branch', 'session', 'billing'] as const;

export const listQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  provider: z.string().optional(),
  model: z.string().optional(),
  status: z.enum(['ok', 'error']).optional(),
  client: z.string().optional(),
  tool: z.string().optional(),
  tag: z.string().optional(),
  project: z.string().optional(),
  branch: z.string().optional(),
  session: z.string().optional(),
  billing: z.enum(['subscription', 'api', 'lava', NONE]).optional(),
  /** Started at or after / before (ISO 8601). */
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  q: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof listQuery>;

/** Records scanned per call at most, so a rare filter answers in bounded time (the cursor continues). */
const SCAN_BUDGET = 5000;

export function matches(r: RequestRecord, q: ListQuery): boolean {
  if (q.provider && r.provider !== q.provider) return false;
  if (q.model && r.model !== q.model) return false;
  if (q.client && r.client !== q.client) return false;
  for (const f of WHO) {
    const want = q[f];
    if (want !== undefined && (r[f] ?? NONE) !== want) return false;
  }
  if (q.since && Date.parse(r.startedAt) < Date.parse(q.since)) return false;
  if (q.until && Date.parse(r.startedAt) >= Date.parse(q.until)) return false;
  if (q.status) {
    const failed = Boolean(r.error) || r.status >= 400 || r.status === 0;
    if ((q.status === 'error') !== failed) return false;
  }
  if (q.q) {
    const needle = q.q.toLowerCase();
    const hay = [r.id, r.provider, r.model, r.path, r.client, r.error, r.responseId, r.tool, r.project, r.branch]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

export async function listFiltered(
  store: UsageStore,
  q: ListQuery,
): Promise<{ data: RequestRecord[]; next_cursor: string | null }> {
  const page = await store.list({
    cursor: q.cursor,
    limit: q.limit,
    filter: (r) => matches(r, q),
    maxScan: SCAN_BUDGET,
  });
  return { data: page.data, next_cursor: page.nextCursor ?? null };
}

const CSV_COLUMNS = [
  'id',
  'startedAt',
  'provider',
  'model',
  'status',
  'error',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'total_tokens',
  'cost',
  'costSource',
  'durationMs',
  'client',
  'mode',
  'tool',
  'tag',
  'project',
  'branch',
  'session',
  'billing',
] as const;

export function csvRow(r: RequestRecord): string {
  const u = r.usage;
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: r.id,
    startedAt: r.startedAt,
    provider: r.provider,
    model: r.model,
    status: r.status,
    error: r.error,
    input_tokens: u?.input_tokens,
    output_tokens: u?.output_tokens,
    cache_read_tokens: u?.cache_read_tokens,
    cache_write_tokens: u?.cache_write_tokens,
    total_tokens: u?.total_tokens,
    cost: r.cost,
    costSource: r.costSource,
    durationMs: r.durationMs,
    client: r.client,
    mode: r.mode,
    tool: r.tool,
    tag: r.tag,
    project: r.project,
    branch: r.branch,
    session: r.session,
    billing: r.billing,
  };
  return CSV_COLUMNS.map((c) => csvCell(values[c])).join(',') + '\n';
}

/** Streams the records of UTC days [from, to] as CSV, oldest first, one day in memory at a time. */
export async function exportCsv(store: UsageStore, from: string, to: string, res: Response): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="lava-desktop-${from}-to-${to}.csv"`,
  });
  res.write(CSV_COLUMNS.join(',') + '\n');
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    for (const r of await store.recordsOfDay(new Date(t).toISOString().slice(0, 10))) res.write(csvRow(r));
  }
  res.end();
}
