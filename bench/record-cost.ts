/**
 * Recording cost of the store: CPU per record when every request is flushed on its own (the
 * worst case of the coalesced writer), at an empty store and after `history` records spread over
 * past days; plus start-up time and memory of a store holding that history.
 */
import { ulid } from 'ulid';
import { LowdbStore } from '../src/store/lowdb-store.js';
import type { RequestRecord } from '../src/store/types.js';

const DAY = 86_400_000;

function record(at: number, i: number): RequestRecord {
  return {
    id: ulid(at),
    startedAt: new Date(at).toISOString(),
    durationMs: 420,
    ttfbMs: 180,
    provider: i % 3 ? 'openai' : 'anthropic',
    mode: 'direct',
    method: 'POST',
    path: '/openai/v1/chat/completions',
    upstream: 'https://api.openai.com/v1/chat/completions',
    model: i % 3 ? 'gpt-4o-mini' : 'claude-sonnet-4-5',
    stream: i % 2 === 0,
    status: 200,
    usage: {
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_tokens: 512,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 1500,
    },
    usageSource: 'response',
    cost: '0.0003210000',
    costSource: 'prices',
    pricesVersion: 'genai-prices@0.1.8',
    responseId: `chatcmpl-${i}`,
    client: 'openai-node',
    origin: 'local',
    sync: 'local',
  };
}

/** CPU per record when `batch` records arrive within one flush interval (1 = a flush per request). */
async function perRecordCpuMs(dir: string, n: number, batch: number): Promise<number> {
  const store = await LowdbStore.open({ dataDir: dir, retentionDays: 3650, log: () => undefined });
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    store.append(record(Date.now(), i));
    if ((i + 1) % batch === 0) await store.flush();
  }
  const used = process.cpuUsage(t);
  await store.close();
  return (used.user + used.system) / 1000 / n;
}

export async function measureRecording(dir: string, history: number) {
  const empty = await perRecordCpuMs(dir + '-empty', 300, 1);
  const emptyBatched = await perRecordCpuMs(dir + '-empty2', 2000, 20);
  const seed = await LowdbStore.open({ dataDir: dir, retentionDays: 3650, log: () => undefined });
  const days = Math.ceil(history / 1000);
  const now = Date.now();
  for (let d = days; d >= 1; d--) {
    for (let i = 0; i < 1000 && (days - d) * 1000 + i < history; i++) seed.append(record(now - d * DAY + i * 1000, i));
    await seed.flush();
  }
  await seed.close();
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const probe = await LowdbStore.open({ dataDir: dir, retentionDays: 3650, log: () => undefined });
  const startupMs = performance.now() - t0;
  const rssGrowthMb = (process.memoryUsage().rss - rss0) / 1e6;
  await probe.close();
  const full = await perRecordCpuMs(dir, 300, 1);
  const fullBatched = await perRecordCpuMs(dir, 2000, 20);
  return { empty, full, emptyBatched, fullBatched, startupMs, rssGrowthMb };
}
