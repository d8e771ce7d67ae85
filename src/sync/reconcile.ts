/**
 * Reconciling Lava's request records with the local store: each one matched to a local record
 * (`x-lava-request-id`, then the provider's `response_id`) gets Lava's cost, the local estimate
 * kept beside it; one this gateway pushed is marked synced; one made elsewhere is stored as remote.
 */
import { ulid } from 'ulid';
import type { RestRequest } from './lava-client.js';
import type { RequestRecord, UsageStore } from '../store/types.js';
import { PRICES_VERSION } from '../prices/cost.js';
import { emptyUsage } from '../providers/usage.js';

/** Local records of the days the pulled records fall on (and the day before), by the ids Lava knows. */
export async function localIndex(store: UsageStore, fresh: RestRequest[]): Promise<Map<string, RequestRecord>> {
  const days = new Set<string>();
  for (const r of fresh) {
    const t = Date.parse(r.created_at);
    days.add(new Date(t).toISOString().slice(0, 10));
    days.add(new Date(t - 86_400_000).toISOString().slice(0, 10));
  }
  const index = new Map<string, RequestRecord>();
  for (const day of days) {
    for (const rec of await store.recordsOfDay(day)) {
      index.set(`id:${rec.id}`, rec);
      if (rec.lavaRequestId) index.set(`lava:${rec.lavaRequestId}`, rec);
      if (rec.responseId) index.set(`resp:${rec.responseId}`, rec);
    }
  }
  return index;
}

export async function applyLavaRecord(
  store: UsageStore,
  r: RestRequest,
  index: Map<string, RequestRecord>,
): Promise<void> {
  const pushed = index.get(`id:${r.request_id}`);
  if (pushed) {
    if (pushed.sync !== 'synced') await store.update(pushed.id, { sync: 'synced' });
    return;
  }
  const local = index.get(`lava:${r.request_id}`) ?? (r.response_id ? index.get(`resp:${r.response_id}`) : undefined);
  if (local?.origin === 'remote') return;
  if (local) {
    await store.update(local.id, {
      cost: r.cost,
      costSource: 'lava',
      localCost: local.costSource === 'lava' ? local.localCost : local.cost,
      lavaRequestId: r.request_id,
      sync: 'synced',
    });
    return;
  }
  store.append(remoteRecord(r));
}

/** A request Lava knows and this machine did not make (another machine, the web). */
export function remoteRecord(r: RestRequest): RequestRecord {
  const at = Date.parse(r.timestamp ?? r.created_at);
  const u = r.model_usage ?? {};
  const n = (k: string) => (typeof u[k] === 'number' ? (u[k] as number) : 0);
  const [method = 'POST', upstream] = (r.endpoint ?? '').split(' ');
  const rec: RequestRecord = {
    id: ulid(at),
    startedAt: new Date(at).toISOString(),
    durationMs: 0,
    provider: r.provider ?? 'lava',
    mode: 'lava',
    method,
    path: upstream && URL.canParse(upstream) ? new URL(upstream).pathname : '/',
    stream: false,
    status: r.status === 'error' ? 500 : 200,
    usage: {
      ...emptyUsage(),
      input_tokens: n('input_tokens'),
      output_tokens: n('output_tokens'),
      total_tokens: n('total_tokens'),
      characters: n('total_characters') || undefined,
      seconds: n('total_seconds') || undefined,
    },
    usageSource: 'response',
    cost: r.cost,
    costSource: 'lava',
    pricesVersion: PRICES_VERSION,
    lavaRequestId: r.request_id,
    client: 'lava',
    origin: 'remote',
    sync: 'synced',
  };
  if (upstream) rec.upstream = upstream.split('?')[0];
  if (r.model) rec.model = r.model;
  if (r.response_id) rec.responseId = r.response_id;
  return rec;
}
