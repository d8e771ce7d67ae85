/** The real `lava-desktop` binary: usage from the store, env, help, and one-line errors with exit code 2. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startHarness, type Harness } from './harness.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('lava-desktop usage', () => {
  it('shows the requests made through the gateway with their tokens and cost', async () => {
    const client = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
    const usage = { in: 0, out: 0 };
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `q${i}` }],
      });
      usage.in += r.usage!.prompt_tokens;
      usage.out += r.usage!.completion_tokens;
    }
    await h.records(3);
    await h.ctx.store.flush();
    const recs = (await h.ctx.store.list({ limit: 10 })).data;
    const json = await run(['usage', '--json', '--data-dir', h.dataDir]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      provider: string;
      model: string;
      requests: number;
      input_tokens: number;
      output_tokens: number;
      cost: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      requests: 3,
      input_tokens: usage.in,
      output_tokens: usage.out,
    });
    expect(Number(rows[0]!.cost)).toBeCloseTo(
      recs.reduce((s, r) => s + Number(r.cost), 0),
      10,
    );
    const table = await run(['usage', '--data-dir', h.dataDir]);
    expect(table.stdout).toContain('gpt-4o-mini');
    expect(table.stdout.split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('env prints exports for the running gateway', async () => {
    const r = await run(['env', '--data-dir', h.dataDir]);
    expect(r.stdout).toContain(`export OPENAI_BASE_URL='${h.gw.url}/openai/v1'`);
    expect((await run(['env', '--shell', 'fish', '--data-dir', h.dataDir])).stdout).toContain(
      'set -gx ANTHROPIC_BASE_URL',
    );
  });
});

describe('errors and help', () => {
  it('--help exits 0; a bad flag or value exits 2 with one line', async () => {
    expect((await run(['serve', '--help'])).stdout).toContain('--data-dir');
    for (const args of [
      ['serve', '--bogus'],
      ['serve', '--port', 'abc'],
      ['frobnicate'],
      ['usage', '--since', 'someday'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('a bad config file names the key, exit 2, no stack trace', async () => {
    const file = join(h.dataDir, 'bad.json');
    await writeFile(file, JSON.stringify({ providers: { openai: { origin: 'not a url' } } }));
    const r = await run(['serve', '--port', '0', '--data-dir', h.dataDir, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lava-desktop: config: providers.openai.origin: must be an http(s) URL');
    await writeFile(file, '{ nope');
    const r2 = await run(['serve', '--port', '0', '--data-dir', h.dataDir, '--config', file]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('bad.json: not valid JSON');
  });
});

describe('env, usage --by/--csv, status', () => {
  it('env output sourced by sh points the OpenAI SDK at the gateway', async () => {
    const script = `import OpenAI from 'openai'; const c = new OpenAI({ apiKey: 'x', maxRetries: 0 }); const r = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from env' }] }); console.log(r.choices[0].message.content);`;
    const { stdout } = await promisify(execFile)(
      'sh',
      [
        '-c',
        `eval "$(${process.execPath} ${BIN} env --data-dir ${h.dataDir})" && ${process.execPath} --input-type=module -e "${script.replace(/"/g, '\\"')}"`,
      ],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { ...process.env, OPENAI_BASE_URL: '' },
      },
    );
    expect(stdout.trim()).toBe('Hello from the');
    expect(h.sims.openai.received.at(-1)!.body).toContain('from env');
    expect((await run(['env', '--tool', 'claude-code', '--data-dir', h.dataDir])).stdout.trim()).toBe(
      `export ANTHROPIC_BASE_URL='${h.gw.url}/anthropic'`,
    );
    expect((await run(['env', '--tool', 'vim', '--data-dir', h.dataDir])).code).toBe(2);
  });

  it('usage --by provider and --csv', async () => {
    await h.ctx.store.flush();
    const byProvider = JSON.parse(
      (await run(['usage', '--json', '--by', 'provider', '--data-dir', h.dataDir])).stdout,
    ) as { provider: string; model: string; requests: number }[];
    expect(byProvider.find((l) => l.provider === 'openai')).toMatchObject({ model: '*' });
    const csv = (await run(['usage', '--csv', '--data-dir', h.dataDir])).stdout.trim().split('\n');
    expect(csv[0]).toBe('date,provider,model,requests,input_tokens,output_tokens,cost,unpriced');
    expect(csv.some((l) => l.includes(',openai,gpt-4o-mini,'))).toBe(true);
    expect((await run(['usage', '--by', 'week', '--data-dir', h.dataDir])).code).toBe(2);
  });

  it('status: 0 with the gateway running, 1 without', async () => {
    const up = await run(['status', '--json', '--data-dir', h.dataDir]);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ running: true, url: h.gw.url, sync: { state: 'disabled' } });
    const down = await run(['status', '--data-dir', `${h.dataDir}-nowhere`]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('not running');
  });
});
