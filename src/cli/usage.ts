/** `lava-desktop usage`: spend and requests by day × provider × model, from the local store. */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parse, UsageError } from './args.js';
import { defaultDataDir } from '../data-dir.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { money, round10 } from '../lib/money.js';
import { csvLine } from '../lib/csv.js';
import { localDate } from '../lib/local-date.js';
import type { RollupRow } from '../store/types.js';
import { addCell, emptyCell, hourStart, spentOf } from '../store/rollups.js';
import { breakdown } from '../admin/spend.js';

export const USAGE_HELP = `Usage: lava-desktop usage [--since DATE] [--by KEY] [--json | --csv] [--data-dir DIR]

Spend and requests from the local store (local days), by day × provider × model unless --by says otherwise.
Cost is money spent; requests billed to your own plan (e.g. Claude Code signed in with a Claude plan) show
their API-priced value apart ("plan value").
  --since DATE   first day to include (YYYY-MM-DD or any ISO date; default: 30 days ago)
  --by KEY       day, model, provider (rows summed over the others), or tool, project, branch, session,
                 billing (one row per value; "(unattributed)" holds what is not known, so rows sum to the total)
  --json, --csv  machine-readable rows
  --data-dir DIR the data dir (default: the OS app-data folder, or LAVA_DESKTOP_DATA_DIR)`;

export interface UsageLine {
  date: string;
  provider: string;
  model: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost: string | null;
  unpriced: number;
  /** API-priced value of requests billed to the client's own plan (not in cost). */
  subscriptionValue: string;
}

const DIMENSIONS = ['tool', 'project', 'branch', 'session', 'billing'] as const;
type Dimension = (typeof DIMENSIONS)[number];
const BY = ['day', 'model', 'provider', ...DIMENSIONS];

export async function usage(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      since: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    'usage',
  );
  if (values.help) {
    console.log(USAGE_HELP);
    return 0;
  }
  const since = values.since
    ? new Date(values.since.length === 10 ? `${values.since}T00:00:00` : values.since)
    : new Date(Date.now() - 30 * 86_400_000);
  if (Number.isNaN(since.getTime())) throw new UsageError(`--since: "${values.since}" is not a date (use YYYY-MM-DD)`);
  const by = values.by;
  if (by !== undefined && !BY.includes(by)) throw new UsageError(`--by: "${by}" must be one of ${BY.join(', ')}`);
  if (values.json && values.csv) throw new UsageError('--json and --csv: choose one');
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const rows = existsSync(dataDir) ? await readRows(dataDir, since) : [];
  if ((DIMENSIONS as readonly string[]).includes(by!)) return printDimension(rows, by as Dimension, values);
  const lines = regroup(groupByLocalDay(rows), by as 'day' | 'model' | 'provider' | undefined);
  if (values.json) {
    console.log(JSON.stringify(lines, null, 2));
    return 0;
  }
  if (values.csv) {
    process.stdout.write(
      csvLine(['date', 'provider', 'model', 'requests', 'input_tokens', 'output_tokens', 'cost', 'unpriced']),
    );
    for (const l of lines)
      process.stdout.write(
        csvLine([l.date, l.provider, l.model, l.requests, l.input_tokens, l.output_tokens, l.cost ?? '', l.unpriced]),
      );
    return 0;
  }
  console.log(renderTable(lines));
  return 0;
}

async function readRows(dataDir: string, since: Date): Promise<RollupRow[]> {
  const store = await LowdbStore.open({ dataDir, retentionDays: 36500, log: (m) => console.error(m), readOnly: true });
  return store.rollups(since, new Date(Date.now() + 3_600_000));
}

/** `--by tool|project|branch|session|billing`: one row per value, what is not known as "(unattributed)". */
function printDimension(rows: RollupRow[], by: Dimension, out: { json?: boolean; csv?: boolean }): number {
  const groups = breakdown(rows, by);
  const cols = ['requests', 'tokens', 'cost', 'unpriced', 'subscriptionValue'] as const;
  if (out.json)
    console.log(
      JSON.stringify(
        groups.map(({ key, ...g }) => ({ [by]: key, ...g })),
        null,
        2,
      ),
    );
  else if (out.csv) {
    process.stdout.write(csvLine([by, ...cols]));
    for (const g of groups) process.stdout.write(csvLine([g.key ?? '', ...cols.map((c) => g[c])]));
  } else console.log(renderDimension(groups, by));
  return 0;
}

function renderDimension(groups: ReturnType<typeof breakdown>, by: Dimension): string {
  if (groups.length === 0) return 'No requests recorded yet. Connect a tool: lava-desktop connect <tool>.';
  const header = [by, 'reqs', 'tokens', 'cost', 'plan value'];
  const body = groups.map((g) => [
    g.key ?? '(unattributed)',
    String(g.requests),
    String(g.tokens),
    `$${Number(g.cost).toFixed(4)}${g.unpriced ? '*' : ''}`,
    Number(g.subscriptionValue) ? `$${Number(g.subscriptionValue).toFixed(4)}` : '',
  ]);
  const sum = (f: (g: (typeof groups)[number]) => number) => groups.reduce((s, g) => s + f(g), 0);
  const plan = sum((g) => Number(g.subscriptionValue));
  return [
    ...table(header, body),
    '',
    `total: $${sum((g) => Number(g.cost)).toFixed(4)} spent over ${sum((g) => g.requests)} requests` +
      (plan ? `, plus $${plan.toFixed(4)} of API-priced use on your own plan` : ''),
    ...(groups.some((g) => g.unpriced) ? [UNPRICED_NOTE] : []),
  ].join('\n');
}

const UNPRICED_NOTE = '* some requests use a model without known prices (not counted in cost)';

/** Aligned columns: the first three left, numbers right. */
function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= header.length - 4;
  const row = (cells: string[]) =>
    cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [row(header), ...body.map(row)];
}

export function groupByLocalDay(rows: RollupRow[]): UsageLine[] {
  const groups = new Map<
    string,
    { date: string; provider: string; model: string; cell: ReturnType<typeof emptyCell>; plan: number }
  >();
  for (const r of rows) {
    const date = localDate(hourStart(r));
    const key = `${date}\t${r.provider}\t${r.model}`;
    const g = groups.get(key) ?? { date, provider: r.provider, model: r.model, cell: emptyCell(), plan: 0 };
    addCell(g.cell, { ...r, cost: spentOf(r) });
    g.plan = round10(g.plan + r.cost - spentOf(r));
    groups.set(key, g);
  }
  return [...groups.values()]
    .sort((a, b) => b.date.localeCompare(a.date) || b.cell.cost - a.cell.cost)
    .map((g) => ({
      date: g.date,
      provider: g.provider,
      model: g.model || '(unknown)',
      requests: g.cell.requests,
      input_tokens: g.cell.input_tokens,
      output_tokens: g.cell.output_tokens,
      cost: g.cell.unpriced === g.cell.requests && g.cell.cost === 0 ? null : money(g.cell.cost),
      unpriced: g.cell.unpriced,
      subscriptionValue: money(g.plan),
    }));
}

/** Collapses day × provider × model rows to one row per day, per provider/model, or per provider (`*` marks what was summed over). */
export function regroup(lines: UsageLine[], by?: 'day' | 'model' | 'provider'): UsageLine[] {
  if (!by) return lines;
  const key = (l: UsageLine) => (by === 'day' ? l.date : by === 'model' ? `${l.provider}\t${l.model}` : l.provider);
  const out = new Map<string, UsageLine>();
  for (const l of lines) {
    const k = key(l);
    const g = out.get(k) ?? {
      date: by === 'day' ? l.date : '*',
      provider: by === 'day' ? '*' : l.provider,
      model: by === 'model' ? l.model : '*',
      requests: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost: null,
      unpriced: 0,
      subscriptionValue: '0',
    };
    g.requests += l.requests;
    g.input_tokens += l.input_tokens;
    g.output_tokens += l.output_tokens;
    g.unpriced += l.unpriced;
    if (l.cost !== null) g.cost = money(Number(g.cost ?? 0) + Number(l.cost));
    g.subscriptionValue = money(Number(g.subscriptionValue) + Number(l.subscriptionValue));
    out.set(k, g);
  }
  return [...out.values()].sort((a, b) => Number(b.cost ?? 0) - Number(a.cost ?? 0) || b.date.localeCompare(a.date));
}

export function renderTable(lines: UsageLine[]): string {
  if (lines.length === 0)
    return 'No requests recorded yet. Point a tool at the gateway (see README: Connect your tools).';
  const fmtCost = (l: UsageLine) =>
    l.cost === null ? 'unpriced' : `$${Number(l.cost).toFixed(4)}${l.unpriced ? '*' : ''}`;
  const header = ['date', 'provider', 'model', 'reqs', 'in tok', 'out tok', 'cost'];
  const body = lines.map((l) => [
    l.date,
    l.provider,
    l.model.slice(0, 28),
    String(l.requests),
    String(l.input_tokens),
    String(l.output_tokens),
    fmtCost(l),
  ]);
  const total = lines.reduce((s, l) => s + Number(l.cost ?? 0), 0);
  const plan = lines.reduce((s, l) => s + Number(l.subscriptionValue), 0);
  const out = [
    ...table(header, body),
    '',
    `total: $${total.toFixed(4)} over ${lines.reduce((s, l) => s + l.requests, 0)} requests` +
      (plan ? `, plus $${plan.toFixed(4)} of API-priced use on your own plan` : ''),
  ];
  if (lines.some((l) => l.unpriced)) out.push(UNPRICED_NOTE);
  return out.join('\n');
}
