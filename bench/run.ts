/**
 * `npm run bench`: measures, in one run on this machine, a direct connection to an upstream
 * simulator, a bare Node pipe proxy and the gateway (a real `lava-desktop serve` process):
 * added p50/p99 latency at 1 connection, throughput at 32 connections (autocannon) as a ratio
 * to the bare pipe, streaming time-to-first-byte and chunk spacing, and the store's recording
 * cost per request at an empty store vs after 100 k records. It prints figures; it asserts
 * nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { measureRecording } from './record-cost.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(900) }] });
const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 3000);
const THROUGHPUT_S = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 7);

const children: ChildProcess[] = [];

function start(cmd: string[], match: RegExp): Promise<number> {
  const child = spawn(process.execPath, cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = match.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited (${code})`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once(port: number, path: string, body = BODY): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Sequential requests on one keep-alive connection; targets interleaved so drift hits all alike. */
async function latency(
  targets: Record<string, [number, string]>,
): Promise<Record<string, { p50: number; p99: number }>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const [port, path] of Object.values(targets)) for (let i = 0; i < 300; i++) await once(port, path);
  for (let i = 0; i < LATENCY_N; i++) {
    for (const [name, [port, path]] of Object.entries(targets)) {
      const t = process.hrtime.bigint();
      await once(port, path);
      samples[name]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, v]) => {
      v.sort((a, b) => a - b);
      return [k, { p50: pct(v, 50), p99: pct(v, 99) }];
    }),
  );
}

async function throughput(port: number, path: string): Promise<number> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    connections: 32,
    duration: THROUGHPUT_S,
  });
  if (r.non2xx || r.errors) throw new Error(`throughput run had ${r.non2xx} non-2xx and ${r.errors} errors`);
  return r.requests.average;
}

/** One stream of 40 chunks sent 10 ms apart: TTFB and the spacing of chunk arrivals. */
function stream(port: number, path: string): Promise<{ ttfb: number; gapP50: number; gapMax: number; chunks: number }> {
  const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, chunks: 40, gapMs: 10, messages: [] });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const arrivals: number[] = [];
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.on('data', () => arrivals.push(performance.now() - t0));
        res.on('end', () => {
          const gaps = arrivals
            .slice(1)
            .map((t, i) => t - arrivals[i]!)
            .filter((g) => g > 1);
          gaps.sort((a, b) => a - b);
          resolve({ ttfb: arrivals[0]!, gapP50: pct(gaps, 50), gapMax: gaps.at(-1)!, chunks: arrivals.length });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const f = (n: number, d = 3) => n.toFixed(d);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'lava-bench-'));
  try {
    const upstream = await start(['--import', 'tsx', 'bench/upstream.ts'], /^(\d+)/m);
    const pipe = await start(['--import', 'tsx', 'bench/pipe.ts', String(upstream)], /^(\d+)/m);
    const hpm = await start(['--import', 'tsx', 'bench/hpm-bare.ts', String(upstream)], /^(\d+)/m);
    const cfg = join(dir, 'config.json');
    await writeFile(
      cfg,
      JSON.stringify({
        providers: { openai: { origin: `http://127.0.0.1:${upstream}`, apiKey: 'sk-bench-000000000000' } },
      }),
    );
    const gateway = await start(
      ['bin/lava-desktop.js', 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--config', cfg],
      /127\.0\.0\.1:(\d+) /,
    );
    const targets: Record<string, [number, string]> = {
      direct: [upstream, '/v1/chat/completions'],
      pipe: [pipe, '/v1/chat/completions'],
      'hpm-bare': [hpm, '/openai/v1/chat/completions'],
      gateway: [gateway, '/openai/v1/chat/completions'],
    };
    console.log(
      `Lava Desktop bench — node ${process.version}, ${LATENCY_N} sequential requests per target, ${ROUNDS}×${THROUGHPUT_S}s at 32 connections\n`,
    );

    const lat = await latency(targets);
    console.log('Latency, 1 connection, 1 KB JSON POST (ms)');
    for (const [k, v] of Object.entries(lat)) console.log(`  ${k.padEnd(9)} p50 ${f(v.p50)}  p99 ${f(v.p99)}`);
    console.log(
      `  added by gateway vs direct:    p50 +${f(lat.gateway!.p50 - lat.direct!.p50)}  p99 +${f(lat.gateway!.p99 - lat.direct!.p99)}`,
    );
    console.log(
      `  added by gateway vs bare pipe: p50 +${f(lat.gateway!.p50 - lat.pipe!.p50)}  p99 +${f(lat.gateway!.p99 - lat.pipe!.p99)}`,
    );
    console.log(
      `  added by bare pipe vs direct:  p50 +${f(lat.pipe!.p50 - lat.direct!.p50)}  p99 +${f(lat.pipe!.p99 - lat.direct!.p99)}`,
    );

    const rps: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const [k, [port, path]] of Object.entries(targets)) rps[k]!.push(await throughput(port, path));
    console.log('\nThroughput, 32 connections (req/s, median of rounds)');
    for (const [k, v] of Object.entries(rps))
      console.log(`  ${k.padEnd(8)} ${f(median(v), 0)}   rounds: ${v.map((x) => f(x, 0)).join(', ')}`);
    console.log(
      `  gateway ÷ bare pipe: ${f(median(rps.gateway!) / median(rps.pipe!), 2)}   gateway ÷ direct: ${f(median(rps.gateway!) / median(rps.direct!), 2)}`,
    );

    console.log(
      `\nStreaming, 40 chunks sent 10 ms apart, ${STREAMS} streams per target (ms; TTFB median, gaps over all streams)`,
    );
    for (const [k, [port, path]] of Object.entries(targets)) {
      const runs = [];
      for (let i = 0; i < STREAMS; i++) runs.push(await stream(port, path));
      const ttfb = median(runs.map((r) => r.ttfb));
      const gap = median(runs.map((r) => r.gapP50));
      const max = Math.max(...runs.map((r) => r.gapMax));
      console.log(
        `  ${k.padEnd(9)} TTFB ${f(ttfb, 2)}  chunk gap p50 ${f(gap, 2)}  max ${f(max, 2)}  reads/stream ${median(runs.map((r) => r.chunks))}`,
      );
    }

    console.log(`\nRecording cost (store append + its share of the coalesced flush, CPU ms per record)`);
    const rec = await measureRecording(join(dir, 'store'), RECORDS);
    await rm(join(dir, 'store-empty'), { recursive: true, force: true });
    await rm(join(dir, 'store-empty2'), { recursive: true, force: true });
    console.log(
      `  one flush per record (worst case):   empty ${f(rec.empty, 4)}   after ${RECORDS} records ${f(rec.full, 4)}   ratio ${f(rec.full / rec.empty, 2)}`,
    );
    console.log(
      `  20 records per flush (≈100 req/s):   empty ${f(rec.emptyBatched, 4)}   after ${RECORDS} records ${f(rec.fullBatched, 4)}   ratio ${f(rec.fullBatched / rec.emptyBatched, 2)}`,
    );
    console.log(
      `  store start-up with ${RECORDS} records: ${f(rec.startupMs, 1)} ms, RSS growth ${f(rec.rssGrowthMb, 1)} MB`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`bench failed: ${e.message}`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(1);
});
