/**
 * Reservations under a hard budget (PRODUCT.md §14), with concurrent requests to a slow upstream:
 * of M requests at once, exactly the N whose worst cases fit reach the upstream, the rest get a
 * 402 naming the budget, and what is recorded stays under the cap; per-tool and per-project caps;
 * unpriced models passed or refused as configured. The expected worst case is computed here from
 * the tokenizer and the price data themselves, not from the gateway's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { countTokens } from 'gpt-tokenizer';
import { calcPrice } from '@pydantic/genai-prices';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { startHarness } from './harness.js';

let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators();
});
afterAll(() => sims.close());

const PROMPT = 'Count the reservations, please. [gap=150] [chunks=5]';
const MAX_TOKENS = 200;
/** gpt-4o-mini's worst case for PROMPT: its input tokens and MAX_TOKENS of output at the model's prices. */
const worst = () =>
  calcPrice({ input_tokens: countTokens(PROMPT), output_tokens: MAX_TOKENS }, 'gpt-4o-mini', { providerId: 'openai' })!
    .total_price;

const slowStream = async (client: OpenAI) => {
  const s = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    max_tokens: MAX_TOKENS,
    stream: true,
    messages: [{ role: 'user', content: PROMPT }],
  });
  for await (const c of s) void c;
};

async function settle(n: number, run: () => Promise<void>) {
  return Promise.allSettled(Array.from({ length: n }, run));
}

describe('concurrent requests against a cap', () => {
  it('of 8 at once, exactly the 3 that fit reach the upstream; the rest get 402; spend stays under the cap', async () => {
    const cap = worst() * 3.5;
    const h = await startHarness({ budgets: { daily: cap, hardStop: true } }, { sims });
    try {
      const before = sims.openai.received.length;
      const client = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
      const out = await settle(8, () => slowStream(client));
      const ok = out.filter((o) => o.status === 'fulfilled').length;
      const refused = out.filter(
        (o) => o.status === 'rejected' && (o.reason as { status?: number }).status === 402,
      ) as PromiseRejectedResult[];
      expect(ok).toBe(3);
      expect(refused).toHaveLength(5);
      expect(sims.openai.received.length - before).toBe(3);
      expect(String((refused[0]!.reason as Error).message)).toMatch(/daily budget reached.*left/);
      const recs = await h.records(8);
      const spent = recs.reduce((s, r) => s + Number(r.cost ?? 0), 0);
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(cap);
      expect(h.ctx.budget!.reserved.size).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('without a hard stop nothing is held and every request goes through', async () => {
    const h = await startHarness({ budgets: { daily: worst() * 3.5 } }, { sims });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
      const out = await settle(6, () => slowStream(client));
      expect(out.every((o) => o.status === 'fulfilled')).toBe(true);
    } finally {
      await h.close();
    }
  }, 30_000);
});

describe('caps per tool and per project', () => {
  it("a tool's cap stops that tool only, and says which budget", async () => {
    const h = await startHarness({ budgets: { hardStop: true, tools: { codex: { daily: worst() * 1.5 } } } }, { sims });
    try {
      const codex = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/@codex/openai/v1`, maxRetries: 0 });
      const other = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/@nightly/openai/v1`, maxRetries: 0 });
      const out = await settle(3, () => slowStream(codex));
      expect(out.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const e = (out.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason as Error;
      expect(e.message).toContain('daily budget of tool codex');
      expect(e.message).toContain('budgets.tools["codex"].daily');
      expect((await settle(3, () => slowStream(other))).every((o) => o.status === 'fulfilled')).toBe(true);
    } finally {
      await h.close();
    }
  }, 30_000);

  it("a project's cap applies to requests of a session that runs in it (or in a folder inside it)", async () => {
    const session = '4d2c7a10-5b1e-4c3a-9f0e-2a6b8c1d0e9f';
    const h = await startHarness(
      { budgets: { hardStop: true, projects: { '/work/shop': { daily: worst() * 0.5 } } } },
      { sims },
    );
    try {
      // Claude Code's transcript of that session, in the home attribution reads (the harness's data dir).
      const dir = join(h.dataDir, '.claude', 'projects', '-work-shop-api');
      await mkdir(dir, { recursive: true });
      const line = { type: 'user', sessionId: session, cwd: '/work/shop/api', gitBranch: 'main', uuid: 'u1' };
      await writeFile(join(dir, `${session}.jsonl`), `${JSON.stringify(line)}\n`);
      const client = new OpenAI({
        apiKey: 'x',
        baseURL: `${h.gw.url}/openai/v1`,
        maxRetries: 0,
        defaultHeaders: { 'x-claude-code-session-id': session },
      });
      let status = 0;
      let message = '';
      for (let i = 0; i < 50 && status !== 402; i++) {
        await slowStream(client).then(
          () => new Promise((r) => setTimeout(r, 100)),
          (e: { status: number; message: string }) => ({ status, message } = e),
        );
      }
      expect(status).toBe(402);
      expect(message).toContain('daily budget of project /work/shop');
      // Another session (another project) is not under that cap.
      const free = new OpenAI({ apiKey: 'x', baseURL: `${h.gw.url}/openai/v1`, maxRetries: 0 });
      await expect(slowStream(free)).resolves.toBeUndefined();
    } finally {
      await h.close();
    }
  }, 30_000);
});

describe('models without known prices', () => {
  it('pass by default, and are refused under a hard stop with budgets.unpriced "refuse"', async () => {
    const ask = (c: OpenAI) =>
      c.chat.completions.create({ model: 'my-own-finetune-xyz', messages: [{ role: 'user', content: 'hi' }] });
    const pass = await startHarness({ budgets: { daily: 1, hardStop: true } }, { sims });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${pass.gw.url}/openai/v1`, maxRetries: 0 });
      await expect(ask(c)).resolves.toBeDefined();
    } finally {
      await pass.close();
    }
    const refuse = await startHarness({ budgets: { daily: 1, hardStop: true, unpriced: 'refuse' } }, { sims });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${refuse.gw.url}/openai/v1`, maxRetries: 0 });
      const e = (await ask(c).catch((x: unknown) => x)) as { status: number; code: string; message: string };
      expect(e.status).toBe(402);
      expect(e.code).toBe('budget_unpriced_model');
      expect(e.message).toContain('my-own-finetune-xyz');
    } finally {
      await refuse.close();
    }
  });
});
