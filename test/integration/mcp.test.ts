/** The MCP tools through a real MCP client, over streamable HTTP (/mcp) and over stdio (`lava-desktop mcp`). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Lava } from '@lavapayments/nodejs';
import { startHarness, type Harness } from './harness.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const SECRET = 'aks_test_mcp_merchant_01';
const TOOLS = [
  'lava_budget',
  'lava_chat_completions',
  'lava_forward',
  'lava_generate_forward_token',
  'lava_login',
  'lava_messages',
  'lava_requests',
  'lava_rewrite',
  'lava_usage',
];

let h: Harness;
let http: Client;
/** A project folder with caps (lava_budget), and a folder inside it. */
let project: string;
beforeAll(async () => {
  const direct = { mode: 'direct' };
  const { mkdtemp, mkdir, realpath } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  project = await realpath(await mkdtemp(`${tmpdir()}/lava-mcp-project-`));
  await mkdir(`${project}/packages/app`, { recursive: true });
  h = await startHarness({
    lava: { secretKey: SECRET },
    providers: { openai: direct, anthropic: direct, google: direct, elevenlabs: direct },
    budgets: {
      daily: 100,
      monthly: 1000,
      tools: { codex: { daily: 2.5 }, 'claude-code': { monthly: 7 } },
      projects: { [project]: { daily: 4, monthly: 3 }, '/elsewhere': { daily: 0.5 } },
    },
  });
  http = new Client({ name: 'test', version: '1' });
  await http.connect(
    new StreamableHTTPClientTransport(new URL(`${h.gw.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${h.gw.adminToken}` } },
    }),
  );
});
afterAll(async () => {
  await http.close();
  await h.close();
  const { rm } = await import('node:fs/promises');
  await rm(project, { recursive: true, force: true });
});

type CallResult = {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};
const text = (r: CallResult) => r.content.map((c) => c.text).join('');

describe('MCP over HTTP', () => {
  it('lists the tools', async () => {
    expect((await http.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS);
  });

  it('calls every tool; model calls are metered as client mcp', async () => {
    const chat = (await http.callTool({
      name: 'lava_chat_completions',
      arguments: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    })) as CallResult;
    expect(text(chat)).toBe('Hello from the');
    expect(chat.structuredContent).toMatchObject({ object: 'chat.completion' });
    const rec = (await h.records(1))[0]!;
    expect(rec).toMatchObject({ client: 'mcp', provider: 'openai' });

    const msg = (await http.callTool({
      name: 'lava_messages',
      arguments: { model: 'anthropic/claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] },
    })) as CallResult;
    expect(text(msg)).toBe('Hello from the');

    const fwd = (await http.callTool({
      name: 'lava_forward',
      arguments: {
        url: 'https://api.openai.com/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
      },
    })) as CallResult;
    expect(JSON.parse(text(fwd)).object).toBe('chat.completion');
    expect(h.sims.openai.received.at(-1)!.headers.authorization).toMatch(/^Bearer sk-test-openai/);

    const rw = (await http.callTool({
      name: 'lava_rewrite',
      arguments: {
        format: 'openai',
        url: 'https://api.anthropic.com/v1/messages',
        body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] },
      },
    })) as CallResult;
    expect(rw.structuredContent).toMatchObject({ object: 'chat.completion' });

    const token = (await http.callTool({
      name: 'lava_generate_forward_token',
      arguments: { customer_id: 'cus_1', meter_slug: 'm' },
    })) as CallResult;
    expect(text(token)).toBe(
      new Lava(SECRET, { baseUrl: 'http://x/v1/' }).generateForwardToken({ customer_id: 'cus_1', meter_slug: 'm' }),
    );

    await h.ctx.store.flush();
    const usage = (await http.callTool({ name: 'lava_usage', arguments: {} })) as CallResult;
    expect(text(usage)).toMatch(/^today \$\d+\.\d{4} \(\d+ requests\)/);
    const reqs = (await http.callTool({
      name: 'lava_requests',
      arguments: { limit: 3, provider: 'anthropic' },
    })) as CallResult;
    expect(
      text(reqs)
        .split('\n')
        .every((l) => l.includes(' anthropic/')),
    ).toBe(true);
  });

  it('bad input is refused with a message a model can act on', async () => {
    const bad = await http
      .callTool({ name: 'lava_messages', arguments: { model: 'x', messages: [{ role: 'user', content: 'hi' }] } })
      .then(
        (r) => r as CallResult,
        (e: Error) => ({ content: [{ type: 'text', text: e.message }], isError: true }),
      );
    expect(bad.isError).toBe(true);
    expect(text(bad)).toContain('max_tokens');
    const half = (await http.callTool({
      name: 'lava_generate_forward_token',
      arguments: { customer_id: 'cus_1' },
    })) as CallResult;
    expect(half.isError).toBe(true);
    expect(text(half)).toContain('meter_slug');
    const unknown = (await http.callTool({
      name: 'lava_chat_completions',
      arguments: { model: 'no-such-model-x', messages: [{ role: 'user', content: 'x' }] },
    })) as CallResult;
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('provider/model');
  });

  it('/mcp needs the admin token and refuses a foreign Origin or Host', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await fetch(`${h.gw.url}/mcp`, { method: 'POST', headers, body })).status).toBe(401);
    const auth = { ...headers, authorization: `Bearer ${h.gw.adminToken}` };
    expect(
      (await fetch(`${h.gw.url}/mcp`, { method: 'POST', headers: { ...auth, origin: 'https://evil.example' }, body }))
        .status,
    ).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const u = new URL(h.gw.url);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: '/mcp',
          method: 'POST',
          headers: { ...auth, host: `rebind.example:${u.port}` },
        },
        (res) => resolve(res.statusCode!),
      );
      req.end(body);
    });
    expect(status).toBe(421);
  });
});

describe('MCP over stdio', () => {
  it('`lava-desktop mcp` starts a gateway in-process when none runs', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const empty = await mkdtemp(join(tmpdir(), 'lava-mcp-'));
    const stdio = new Client({ name: 'test', version: '1' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp', '--data-dir', empty],
        stderr: 'ignore',
        env: { PATH: process.env.PATH ?? '' },
      }),
    );
    try {
      const usage = (await stdio.callTool({ name: 'lava_usage', arguments: {} })) as CallResult;
      expect(text(usage)).toContain('today $0.0000 (0 requests)');
    } finally {
      await stdio.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('`lava-desktop mcp` uses the running gateway', async () => {
    const stdio = new Client({ name: 'test', version: '1' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp', '--data-dir', h.dataDir],
        stderr: 'ignore',
      }),
    );
    try {
      expect((await stdio.listTools()).tools).toHaveLength(TOOLS.length);
      const r = (await stdio.callTool({
        name: 'lava_chat_completions',
        arguments: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'via stdio' }] },
      })) as CallResult;
      expect(text(r)).toBe('Hello from the');
      expect((await h.records(1))[0]).toMatchObject({ client: 'mcp', provider: 'anthropic' });
    } finally {
      await stdio.close();
    }
  });
});

interface BudgetAnswer {
  today: { spent: number };
  month: { spent: number };
  tool: string | null;
  project: string | null;
  hardStop: boolean;
  caps: { scope: string; key: string | null; period: string; limit: number; spent: number; left: number }[];
  mayStillSpend: { today: number | null; month: number | null };
  notes?: string[];
}
const answer = (r: CallResult): BudgetAnswer => {
  expect(r.isError).toBeFalsy();
  const a = JSON.parse(text(r)) as BudgetAnswer;
  expect(r.structuredContent).toEqual(a);
  return a;
};
const capKeys = (a: BudgetAnswer) => a.caps.map((c) => `${c.scope}:${c.key ?? '*'}:${c.period}`).sort();

describe('lava_budget', () => {
  /** A request as Codex sends it (its User-Agent), so today's codex spend is not zero. */
  async function codexSpends() {
    const before = (await h.ctx.store.list({ limit: 1000 })).data.length;
    const res = await fetch(`${h.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'codex_cli_rs/0.50.0 (Linux; x86_64) xterm' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const rec = (await h.records(before + 1))[0]!;
    expect(rec.tool).toBe('codex');
    expect(Number(rec.cost)).toBeGreaterThan(0);
    return Number(rec.cost);
  }

  it('over /mcp: the caps of the tool and project given, the least left of them, today and this month', async () => {
    await codexSpends();
    await h.ctx.store.flush();
    const a = answer(
      (await http.callTool({
        name: 'lava_budget',
        arguments: { tool: 'codex', project: `${project}/packages/app` },
      })) as CallResult,
    );
    expect(a.tool).toBe('codex');
    expect(a.project).toBe(`${project}/packages/app`);
    // Global caps always; codex's, not claude-code's; the project's (a folder inside it), not /elsewhere's.
    expect(capKeys(a)).toEqual([
      'global:*:daily',
      'global:*:monthly',
      `project:${project}:daily`,
      `project:${project}:monthly`,
      'tool:codex:daily',
    ]);
    const codex = a.caps.find((c) => c.scope === 'tool')!;
    expect(codex.spent).toBeGreaterThan(0);
    expect(codex.left).toBeCloseTo(2.5 - codex.spent, 8);
    const global = a.caps.find((c) => c.scope === 'global' && c.period === 'daily')!;
    expect(global.spent).toBeCloseTo(a.today.spent, 8);
    expect(a.today.spent).toBeGreaterThanOrEqual(codex.spent);
    expect(a.month.spent).toBeGreaterThanOrEqual(a.today.spent);
    // Today: codex's daily left is the least (the project's monthly 3 bounds today too, but is more).
    expect(a.mayStillSpend.today).toBeCloseTo(codex.left, 8);
    expect(a.mayStillSpend.month).toBe(3);
    expect(a.notes).toEqual(['hardStop is off: caps alert but do not refuse requests']);
  });

  it("the gateway's summary (the tray's contents) lists every cap with what is left", async () => {
    const caps = (await h.gw.summary()).budgets!;
    expect(caps.map((c) => `${c.scope}:${c.key ?? '*'}:${c.period}`).sort()).toEqual([
      'global:*:daily',
      'global:*:monthly',
      'project:/elsewhere:daily',
      `project:${project}:daily`,
      `project:${project}:monthly`,
      'tool:claude-code:monthly',
      'tool:codex:daily',
    ]);
    const codex = caps.find((c) => c.key === 'codex')!;
    expect(Number(codex.spent)).toBeGreaterThan(0);
    expect(Number(codex.left)).toBeCloseTo(2.5 - Number(codex.spent), 8);
  });

  it('over /mcp without arguments: no tool or project known, only the global caps, and it says so', async () => {
    const a = answer((await http.callTool({ name: 'lava_budget', arguments: {} })) as CallResult);
    expect(a).toMatchObject({ tool: null, project: null });
    expect(capKeys(a)).toEqual(['global:*:daily', 'global:*:monthly']);
    expect(a.notes?.join(' ')).toContain('pass `tool`');
    const rel = (await http.callTool({ name: 'lava_budget', arguments: { project: 'src' } })) as CallResult;
    expect(rel.isError).toBe(true);
    expect(text(rel)).toContain('absolute path');
  });

  it('over stdio: the tool from the client name (codex-mcp-client → codex), the project from the cwd', async () => {
    const stdio = new Client({ name: 'codex-mcp-client', version: '0.50.0' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp', '--data-dir', h.dataDir],
        cwd: `${project}/packages/app`,
        stderr: 'ignore',
      }),
    );
    try {
      const a = answer((await stdio.callTool({ name: 'lava_budget', arguments: {} })) as CallResult);
      expect(a).toMatchObject({ tool: 'codex', project: `${project}/packages/app` });
      expect(capKeys(a)).toContain('tool:codex:daily');
      expect(capKeys(a)).toContain(`project:${project}:monthly`);
      expect(a.mayStillSpend.month).toBe(3);
      // The argument wins over the client's name.
      const claude = answer(
        (await stdio.callTool({
          name: 'lava_budget',
          arguments: { tool: 'claude-code', project: '/elsewhere/x' },
        })) as CallResult,
      );
      expect(capKeys(claude)).toEqual([
        'global:*:daily',
        'global:*:monthly',
        'project:/elsewhere:daily',
        'tool:claude-code:monthly',
      ]);
      expect(claude.mayStillSpend).toEqual({ today: 0.5, month: 7 });
    } finally {
      await stdio.close();
    }
  });

  it('over stdio: Claude Code is known by its client name', async () => {
    const stdio = new Client({ name: 'claude-code', version: '2.0.0' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp', '--data-dir', h.dataDir],
        cwd: project,
        stderr: 'ignore',
      }),
    );
    try {
      const a = answer((await stdio.callTool({ name: 'lava_budget', arguments: {} })) as CallResult);
      expect(a).toMatchObject({ tool: 'claude-code', project });
      expect(capKeys(a)).toContain('tool:claude-code:monthly');
    } finally {
      await stdio.close();
    }
  });
});
