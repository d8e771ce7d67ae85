/**
 * `lava-desktop status`: is a gateway running, where, and what it has done today. Exit codes for
 * scripts: 0 running, 1 not running (or not answering).
 */
import { resolve } from 'node:path';
import { parse } from './args.js';
import { defaultDataDir, isAlive, readGatewayInfo } from '../data-dir.js';
import type { StoreHealth } from '../store/types.js';

/** The store's health in words: what is at risk, and since when. */
export function storeLine(h: StoreHealth): string {
  if (h.state === 'ok') return h.lost ? `ok (${h.lost} records were dropped while the disk refused writes)` : 'ok';
  const lost = h.lost ? `, ${h.lost} dropped` : '';
  return `DEGRADED since ${h.since}: cannot write records (${h.error}); ${h.unwritten} not on disk yet${lost}, retrying`;
}

export const STATUS_HELP = `Usage: lava-desktop status [--json] [--data-dir DIR]

Says whether the gateway is running (exit 0) or not (exit 1), with its URL, today's requests and spend, and sync state.`;

export async function status(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, 'status');
  if (values.help) {
    console.log(STATUS_HELP);
    return 0;
  }
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  const down = (why: string) => {
    if (values.json) console.log(JSON.stringify({ running: false, reason: why }));
    else console.log(`Lava Desktop is not running (${why}). Start it with: lava-desktop serve`);
    return 1;
  };
  if (!info || !isAlive(info.pid)) return down(info ? 'its process has ended' : 'no gateway.json in the data dir');
  const get = async (path: string) => {
    const res = await fetch(`${info.url}${path}`, {
      headers: { authorization: `Bearer ${info.adminToken}` },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  let spend: {
    today: { requests: number; cost: string };
    month: { cost: string };
    budgets?: { exceeded: boolean; hardStop: boolean };
  };
  let sync: { state: string; pending: number; lastError?: string };
  let settings: { paused: boolean; store: StoreHealth };
  let guards: { tripped: { tool: string; reason: string; value: number; limit: number }[] };
  try {
    [spend, sync, settings, guards] = (await Promise.all([
      get('/api/spend?days=1'),
      get('/api/sync'),
      get('/api/settings'),
      get('/api/guards'),
    ])) as [typeof spend, typeof sync, typeof settings, typeof guards];
  } catch (e) {
    return down(`it does not answer: ${(e as Error).message}`);
  }
  const out = {
    running: true,
    url: info.url,
    port: info.port,
    pid: info.pid,
    paused: settings.paused,
    store: settings.store,
    today: spend.today,
    month: spend.month,
    sync,
    budgetReached: Boolean(spend.budgets?.hardStop && spend.budgets.exceeded),
    pausedTools: guards.tripped,
  };
  if (values.json) console.log(JSON.stringify(out, null, 2));
  else {
    console.log(`Lava Desktop is ${settings.paused ? 'paused' : 'running'} on ${info.url} (pid ${info.pid})`);
    console.log(
      `today: ${spend.today.requests} requests, $${Number(spend.today.cost).toFixed(4)} · this month: $${Number(spend.month.cost).toFixed(4)}`,
    );
    console.log(`store: ${storeLine(settings.store)}`);
    console.log(
      `sync: ${sync.state}${sync.pending ? `, ${sync.pending} pending` : ''}${sync.lastError ? ` — ${sync.lastError}` : ''}`,
    );
    if (out.budgetReached) console.log('budget: REACHED — requests that do not fit are refused (402)');
    for (const t of guards.tripped)
      console.log(
        `paused by the runaway guard: ${t.tool} (${t.reason} ${t.value} > ${t.limit}); resume: lava-desktop resume --tool ${t.tool}`,
      );
  }
  return 0;
}
