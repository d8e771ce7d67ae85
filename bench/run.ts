/**
 * `npm run bench`: measures, in one run on this machine, a direct connection to an upstream
 * simulator, a bare Node pipe proxy and the gateway (a real `lava-desktop serve` process; also a
 * second one under a hard budget that is never reached, so reservations' own cost shows):
 * added p50/p99 latency at 1 connection, throughput at 32 connections (autocannon) as a ratio
 * to the bare pipe, CPU per request and peak RSS under that load, streaming time-to-first-byte and
 * chunk spacing, start-up to a 200 on /healthz as a ratio to a bare `node -e 0`, and the store's
 * recording cost per request at an empty store vs after 100 k records. It prints figures; it
 * asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { measureRecording } from './record-cost.js';
import { cpuMs, peakRssMb } from './process-stats.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(900) }] });
const LATENCY_N = Number(process.env.BENCH_LATENCY_N ?? 3000);
const THROUGHPUT_S = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 7);

const children: ChildProcess[] = [];
const STARTS = Number(process.env.BENCH_STARTS ?? 7);

/** Starts a process and resolves with the port it prints, and its pid. */
function startProc(cmd: string[], match: RegExp): Promise<{ port: number; pid: number; child: ChildProcess }> {
  const child = spawn(process.execPath, cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = match.exec(out);
      if (m) resolve({ port: Number(m[1]), pid: child.pid!, child });
    });
    child.once('exit', (code) => reject(new Error(`${cmd.join(' ')} exited (${code})`)));
  });
}

const start = async (cmd: string[], match: RegExp): Promise<number> => (await startProc(cmd, match)).port;

/** Spawn to exit of a bare `node -e 0`, in ms. */
function bareNode(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((resolve) => child.once('exit', () => resolve(performance.now() - t0)));
}

/** Spawn of `serve` to the first 200 on its /healthz, in ms; the process is stopped afterwards. */
async function gatewayStart(dataDir: string, cfg: string): Promise<number> {
  const t0 = performance.now();
  const g = await startProc(
    ['bin/lava-desktop.js', 'serve', '--port', '0', '--data-dir', dataDir, '--config', cfg],
    /127\.0\.0\.1:(\d+) /,
  );
  const res = await fetch(`http://127.0.0.1:${g.port}/healthz`);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`healthz answered ${res.status}`);
  g.child.kill('SIGTERM');
  await new Promise((r) => g.child.once('exit', r));
  return ms;
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
    const pipeProc = await startProc(['--import', 'tsx', 'bench/pipe.ts', String(upstream)], /^(\d+)/m);
    const pipe = pipeProc.port;
    const hpmProc = await startProc(['--import', 'tsx', 'bench/hpm-bare.ts', String(upstream)], /^(\d+)/m);
    const hpm = hpmProc.port;
    const cfg = join(dir, 'config.json');
    await writeFile(
      cfg,
      JSON.stringify({
        providers: { openai: { origin: `http://127.0.0.1:${upstream}`, apiKey: 'sk-bench-000000000000' } },
      }),
    );
    const gatewayProc = await startProc(
      ['bin/lava-desktop.js', 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--config', cfg],
      /127\.0\.0\.1:(\d+) /,
    );
    const gateway = gatewayProc.port;
    // The same gateway with a hard budget (never reached): every request is counted, reserved and released.
    const budgetCfg = join(dir, 'config-budget.json');
    await writeFile(
      budgetCfg,
      JSON.stringify({
        providers: { openai: { origin: `http://127.0.0.1:${upstream}`, apiKey: 'sk-bench-000000000000' } },
        budgets: { daily: 1e9, monthly: 1e9, hardStop: true },
        guards: { runaway: { requestsPerMinute: 0, dollarsPerHour: 0 } },
      }),
    );
    const budgetProc = await startProc(
      ['bin/lava-desktop.js', 'serve', '--port', '0', '--data-dir', join(dir, 'data-budget'), '--config', budgetCfg],
      /127\.0\.0\.1:(\d+) /,
    );
    const pids: Record<string, number> = {
      pipe: pipeProc.pid,
      'hpm-bare': hpmProc.pid,
      gateway: gatewayProc.pid,
      'gw+budget': budgetProc.pid,
    };
    const targets: Record<string, [number, string]> = {
      direct: [upstream, '/v1/chat/completions'],
      pipe: [pipe, '/v1/chat/completions'],
      'hpm-bare': [hpm, '/openai/v1/chat/completions'],
      gateway: [gateway, '/openai/v1/chat/completions'],
      'gw+budget': [budgetProc.port, '/openai/v1/chat/completions'],
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
    console.log(
      `  added by a hard budget (reservations) vs the gateway without: p50 +${f(lat['gw+budget']!.p50 - lat.gateway!.p50)}  p99 +${f(lat['gw+budget']!.p99 - lat.gateway!.p99)}`,
    );

    const rps: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const [k, [port, path]] of Object.entries(targets)) {
        const c0 = pids[k] ? cpuMs(pids[k]) : undefined;
        const perSecond = await throughput(port, path);
        rps[k]!.push(perSecond);
        const c1 = pids[k] ? cpuMs(pids[k]) : undefined;
        if (c0 !== undefined && c1 !== undefined) cpu[k]!.push((c1 - c0) / (perSecond * THROUGHPUT_S));
      }
    console.log('\nThroughput, 32 connections (req/s, median of rounds)');
    for (const [k, v] of Object.entries(rps))
      console.log(`  ${k.padEnd(8)} ${f(median(v), 0)}   rounds: ${v.map((x) => f(x, 0)).join(', ')}`);
    console.log(
      `  gateway ÷ bare pipe: ${f(median(rps.gateway!) / median(rps.pipe!), 2)}   gateway ÷ direct: ${f(median(rps.gateway!) / median(rps.direct!), 2)}`,
    );

    if (cpu.gateway!.length && cpu.pipe!.length) {
      console.log('\nCPU per request under that load (ms, median of rounds; from /proc)');
      for (const k of Object.keys(pids)) console.log(`  ${k.padEnd(8)} ${f(median(cpu[k]!), 4)}`);
      console.log(`  gateway ÷ bare pipe: ${f(median(cpu.gateway!) / median(cpu.pipe!), 2)}`);
      console.log(
        `  with a hard budget (reservations) ÷ without: CPU ${f(median(cpu['gw+budget']!) / median(cpu.gateway!), 2)}, throughput ${f(median(rps['gw+budget']!) / median(rps.gateway!), 2)}`,
      );
      const [gw, bare] = [peakRssMb(pids.gateway!), peakRssMb(pids.pipe!)];
      if (gw !== undefined && bare !== undefined)
        console.log(
          `Peak RSS after the load (MB): gateway ${f(gw, 1)}, bare pipe ${f(bare, 1)}; gateway − pipe × 1.3 = ${f(gw - bare * 1.3, 1)}`,
        );
    } else console.log('\nCPU per request and peak RSS: not measured (no /proc on this system)');

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

    const bare: number[] = [];
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      bare.push(await bareNode());
      starts.push(await gatewayStart(join(dir, `start-${i}`), cfg));
    }
    console.log(
      `\nStart-up to a 200 on /healthz (ms, median of ${STARTS}): gateway ${f(median(starts), 1)}, bare \`node -e 0\` ${f(median(bare), 1)}; ratio ${f(median(starts) / median(bare), 2)}`,
    );

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
    const withHistory: number[] = [];
    for (let i = 0; i < 3; i++) withHistory.push(await gatewayStart(join(dir, 'store'), cfg));
    console.log(`  serve start-up to /healthz with ${RECORDS} records: ${f(median(withHistory), 1)} ms`);
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
