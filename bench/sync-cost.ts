/**
 * What sync costs in requests to Lava, with the default pacing, against the Lava simulator:
 * an idle period, then a period of steady local traffic in direct mode with pushes on.
 * `node --import tsx bench/sync-cost.ts [idleSeconds] [loadSeconds] [requestsPerSecond]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../src/index.js';
import { contextOf } from '../src/gateway.js';
import { parseConfig } from '../src/config.js';
import { startSimulators } from '../test/simulators/index.js';

const [idleS = 125, loadS = 60, rps = 5] = process.argv.slice(2).map(Number);
const sims = await startSimulators();
sims.lava.validKeys.add('aks_test_bench_sync');
const dir = await mkdtemp(join(tmpdir(), 'lava-sync-cost-'));
const config = parseConfig({
  port: 0,
  lava: { secretKey: 'aks_test_bench_sync', baseUrl: `${sims.lava.url}/v1/`, customerId: 'cus_b', meterSlug: 'm' },
  providers: { openai: { mode: 'direct', origin: sims.openai.url, apiKey: 'sk-bench-0000000000' } },
});
const gw = await startGateway({ config, dataDir: dir, port: 0, log: () => undefined });
const total = () => [...sims.lava.calls.values()].reduce((a, b) => a + b, 0);
const snapshot = () => new Map(sims.lava.calls);
const diff = (a: Map<string, number>) => [...sims.lava.calls].map(([k, v]) => `${k} ${v - (a.get(k) ?? 0)}`).join(', ');

let t0 = total();
let s0 = snapshot();
await new Promise((r) => setTimeout(r, idleS * 1000));
console.log(
  `idle ${idleS}s: ${total() - t0} requests to Lava (${((total() - t0) / idleS) * 60} per minute) — ${diff(s0)}`,
);

t0 = total();
s0 = snapshot();
let made = 0;
const end = Date.now() + loadS * 1000;
while (Date.now() < end) {
  await fetch(`${gw.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
  }).then((r) => r.text());
  made++;
  await new Promise((r) => setTimeout(r, 1000 / rps));
}
await new Promise((r) => setTimeout(r, 6000)); // let the last nudge run
console.log(
  `load ${loadS}s at ~${rps} req/s (${made} requests, pushed): ${total() - t0} requests to Lava (${(((total() - t0) / (loadS + 6)) * 60).toFixed(0)} per minute) — ${diff(s0)}`,
);
console.log(`status: ${JSON.stringify(contextOf(gw).sync!.status())}`);
await gw.stop();
await sims.close();
await rm(dir, { recursive: true, force: true });
