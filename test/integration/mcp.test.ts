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
beforeAll(async () => {
  const direct = { mode: 'direct' };
  h = await startHarness({
    lava: { secretKey: SECRET },
    providers: { openai: direct, anthropic: direct, google: direct, elevenlabs: direct },
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
