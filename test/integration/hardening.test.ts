/**
 * Nobody else in (issue 10, PRODUCT.md §10): guards match every spelling the router matches, the
 * gateway's own credentials never go upstream, captured bodies hold no keys, slow clients are cut,
 * malformed input is a 4xx, long usage ranges are cheap, upstream changes from the admin API are
 * limited and announced, settings are validated whole, the local key works for MCP and `env`.
 */
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startHarness, type Harness } from './harness.js';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { sendJson, startServer, type Simulator } from '../simulators/http-util.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
let sims: Simulators;
let h: Harness;
beforeAll(async () => {
  sims = await startSimulators();
  h = await startHarness({}, { sims, start: { timeouts: { headersMs: 1000, bodyIdleMs: 1000 } } });
});
afterAll(async () => {
  await h.close();
  await sims.close();
});

const admin = () => ({ authorization: `Bearer ${h.gw.adminToken}` });

/** Writes raw bytes and returns everything the gateway answers until it closes the connection. */
function rawExchange(gw: string, write: (s: net.Socket) => void): Promise<string> {
  const u = new URL(gw);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), '127.0.0.1', () => write(s));
    let out = '';
    s.on('data', (b: Buffer) => (out += b.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => undefined);
  });
}

async function sessionCookie(gw: Harness): Promise<string> {
  const res = await fetch(`${gw.gw.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: gw.gw.adminToken }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('guards match the router under any spelling', () => {
  it('another local page with the session cookie cannot reach /api, /mcp or /v1/requests however it spells them', async () => {
    const cookie = await sessionCookie(h);
    const port = new URL(h.gw.url).port;
    const evil = 'http://127.0.0.1:3000'; // another local port: same site, so the cookie goes along
    const attempts: [string, string][] = [
      ['POST', '/API/pause'],
      ['POST', '/Api/Pause'],
      ['POST', '/api/pause/'],
      ['POST', '/%61pi/pause'],
      ['POST', '/api#/pause'],
      ['GET', '/API/settings'],
      ['GET', '/Api/spend'],
      ['POST', '/MCP'],
      ['GET', '/V1/requests'],
      ['GET', '/V1/Usage?start=2026-01-01'],
      ['POST', `http://127.0.0.1:${port}/api/pause`],
      ['GET', `http://localhost:${port}/API/settings`],
    ];
    for (const [method, target] of attempts) {
      const out = await rawExchange(h.gw.url, (s) =>
        s.end(
          `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${evil}\r\nCookie: ${cookie}\r\n` +
            `Sec-Fetch-Site: same-site\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        ),
      );
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
      expect([403, 404], `${method} ${target} → ${status}`).toContain(status);
    }
    expect(h.ctx.paused).toBe(false);
  });

  it('an absolute-form target must name this gateway', async () => {
    const port = new URL(h.gw.url).port;
    const out = await rawExchange(h.gw.url, (s) =>
      s.end(
        `GET http://attacker.example/api/settings HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      ),
    );
    expect(out).toMatch(/^HTTP\/1\.1 421/);
  });
});

describe("the gateway's own credentials never go upstream", () => {
  it('drops the session cookie (and any cookie) on native and /v1/forward routes', async () => {
    const cookie = await sessionCookie(h);
    for (const path of ['/openai/v1/chat/completions', '/v1/forward?u=https://api.openai.com/v1/chat/completions']) {
      const res = await fetch(`${h.gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `${cookie}; theme=dark` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      expect(sims.openai.received.at(-1)!.headers.cookie).toBeUndefined();
    }
  });

  it('the admin token sent as an API key is not passed to a provider', async () => {
    const open = await startHarness({}, { sims, withKeys: false });
    try {
      const client = new OpenAI({ apiKey: open.gw.adminToken, baseURL: `${open.gw.url}/openai/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const sent = JSON.stringify(sims.openai.received.at(-1)!.headers);
      expect(sent).not.toContain(open.gw.adminToken);
      // …nor in Gemini's `?key=`.
      await fetch(`${open.gw.url}/google/v1beta/models/gemini-2.5-flash:generateContent?key=${open.gw.adminToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      });
      const got = sims.gemini.received.at(-1)!;
      expect(got.url).not.toContain(open.gw.adminToken);
      expect(JSON.stringify(got.headers)).not.toContain(open.gw.adminToken);
    } finally {
      await open.close();
    }
  });
});

describe('captured bodies', () => {
  let echo: Simulator;
  let c: Harness;
  const KEY = 'sk-echo-provider-key-0123456789abcdef';
  const CLIENT_KEY = 'sk-client-own-key-9876543210fedcba';
  beforeAll(async () => {
    // A provider that echoes the key back in its error, as some do.
    echo = await startServer((req, res) => {
      const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${auth}`, type: 'invalid_request_error' } });
    });
    c = await startHarness(
      {
        capture: { bodies: true },
        providers: { echo: { origin: echo.url, apiKey: KEY }, echo2: { origin: echo.url } },
      },
      { sims },
    );
  });
  afterAll(async () => {
    await c.close();
    await echo.close();
  });

  it('mask a configured key and the client’s own key that an upstream error echoes back', async () => {
    for (const [provider, auth] of [
      ['echo', 'placeholder'],
      ['echo2', CLIENT_KEY],
    ] as const) {
      const res = await fetch(`${c.gw.url}/${provider}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(401);
      const id = res.headers.get('x-lava-desktop-request-id')!;
      await c.record(id);
      const viaApi = await (
        await fetch(`${c.gw.url}/api/requests/${id}`, { headers: { authorization: `Bearer ${c.gw.adminToken}` } })
      ).text();
      expect(viaApi).toContain('Incorrect API key provided');
      expect(viaApi).not.toContain(KEY);
      expect(viaApi).not.toContain(CLIENT_KEY);
      expect(viaApi).toContain(provider === 'echo' ? KEY.slice(-4) : CLIENT_KEY.slice(-4));
    }
    const events = c.gw.events
      .since(0)
      .map((n) => JSON.stringify(n.event))
      .join('\n');
    expect(events).not.toContain(KEY);
    expect(events).not.toContain(CLIENT_KEY);
  });
});

describe('slow clients are cut', () => {
  it('headers sent a byte at a time are cut at the headers limit', async () => {
    const t0 = Date.now();
    const out = await rawExchange(h.gw.url, (s) => {
      const text = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(100);
      let i = 0;
      const tick = setInterval(() => {
        if (s.destroyed || i >= text.length) return clearInterval(tick);
        s.write(text[i++]!);
      }, 100);
    });
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - t0).toBeLessThan(8000); // 100 bytes at 10/s would take 10 s: it was cut before
  });

  it('a body that stops arriving gets 408 in the client’s API shape', async () => {
    const port = new URL(h.gw.url).port;
    const out = await rawExchange(h.gw.url, (s) => {
      s.write(
        `POST /openai/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`,
      );
    });
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(out).toContain('"type":"lava_desktop_error"');
    expect(out).toContain('request_timeout');
  });
});

describe('malformed input is a 4xx', () => {
  it('a bad %-escape in u, an unparseable rewrite URL', async () => {
    const post = (path: string) =>
      fetch(`${h.gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"model":"x"}',
      });
    expect((await post('/v1/forward?u=https%3A%2F%2Fapi.openai.com%2Fv1%ZZ')).status).toBe(400);
    expect((await post('/v1/rewrite/openai/https://[not-a-host/v1/chat/completions')).status).toBe(400);
    expect((await post('/v1/rewrite/anthropic/http://%zz/v1/messages')).status).toBe(400);
  });

  it('/v1/usage with a start two thousand years back answers at the cost of the data', async () => {
    const since = (start: string, end?: string) =>
      fetch(`${h.gw.url}/v1/usage?start=${start}${end ? `&end=${end}` : ''}`, { headers: admin() }).then(
        (r) => r.json() as Promise<{ items: unknown[]; totals: { total_requests: number } }>,
      );
    const all = await since('0001-01-01');
    const recent = await since(new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10));
    expect(all.items.length).toBeLessThanOrEqual(367);
    expect(all.totals.total_requests).toBe(recent.totals.total_requests);
    const future = await since('2026-01-01', '9999-12-31');
    expect(future.items.length).toBeLessThanOrEqual(367 * 3);
  });
});

describe('settings from the admin API', () => {
  const patch = (body: unknown) =>
    fetch(`${h.gw.url}/api/settings`, {
      method: 'PATCH',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('an upstream origin or lava.baseUrl must be https or loopback', async () => {
    for (const body of [
      { providers: { openai: { origin: 'http://10.0.0.5:8080' } } },
      { providers: { openai: { origin: 'http://attacker.example' } } },
      { lava: { baseUrl: 'http://lava.attacker.example/v1/' } },
    ]) {
      const res = await patch(body);
      expect(res.status).toBe(400);
      const { errors } = (await res.json()) as { errors: { path: string; message: string }[] };
      expect(errors[0]!.message).toMatch(/https:\/\/ URL or a loopback address/);
    }
  });

  it('each change of where requests go is an event', async () => {
    const before = h.ctx.config.providers.groq?.origin;
    const seen: unknown[] = [];
    const on = (n: { event: unknown }) => seen.push(n.event);
    h.gw.events.on('event', on);
    try {
      expect((await patch({ providers: { groq: { origin: 'https://groq-proxy.example' } } })).status).toBe(200);
      expect((await patch({ providers: { groq: { origin: 'http://127.0.0.1:9' } } })).status).toBe(200);
    } finally {
      h.gw.events.off('event', on);
      await patch({ providers: { groq: { origin: before ?? null } } });
    }
    expect(seen).toContainEqual({
      type: 'settings.upstream_changed',
      key: 'providers.groq.origin',
      from: null,
      to: 'https://groq-proxy.example/',
    });
    expect(seen).toContainEqual({
      type: 'settings.upstream_changed',
      key: 'providers.groq.origin',
      from: 'https://groq-proxy.example/',
      to: 'http://127.0.0.1:9/',
    });
  });

  it('a change that breaks a rule across fields is refused whole: settings.json stays as it was', async () => {
    const file = join(h.dataDir, 'settings.json');
    const before = await readFile(file, 'utf8');
    const res = await patch({ providers: { openai: { mode: 'lava' } } }); // lava mode needs a Lava key
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(body.errors).toEqual([{ path: '', message: expect.stringContaining('lava.secretKey is not set') }]);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(h.ctx.config.providers.openai?.mode).not.toBe('lava');
  });
});

describe('settings that cannot be saved', () => {
  it('a key store that refuses the write leaves settings.json as it was (both files or neither)', async () => {
    const refusing = {
      where: 'a keychain that is locked',
      read: async () => ({}),
      write: async () => {
        throw Object.assign(new Error('keychain locked'), { code: 'EKEYCHAIN' });
      },
    };
    const g = await startHarness({}, { sims, start: { secretStore: refusing } });
    try {
      const file = join(g.dataDir, 'settings.json');
      const before = await readFile(file, 'utf8').catch(() => '(none)');
      const res = await fetch(`${g.gw.url}/api/settings`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${g.gw.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ budgets: { daily: 3 }, providers: { groq: { apiKey: 'gsk_test_key_0123456789' } } }),
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { errors: { path: string; message: string }[] };
      expect(body.errors[0]!.message).toContain('could not be saved (EKEYCHAIN)');
      expect(await readFile(file, 'utf8').catch(() => '(none)')).toBe(before);
      expect(g.ctx.config.budgets.daily).toBeUndefined();
    } finally {
      await g.close();
    }
  });
});

describe('security.localKey', () => {
  const LOCAL = 'local-key-for-tools-123';
  let lk: Harness;
  beforeAll(async () => {
    lk = await startHarness({ security: { localKey: LOCAL } }, { sims });
  });
  afterAll(() => lk.close());

  it('the MCP model tools send it', async () => {
    const mcp = new Client({ name: 'test', version: '1' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${lk.gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${lk.gw.adminToken}` } },
      }),
    );
    try {
      const r = (await mcp.callTool({
        name: 'lava_chat_completions',
        arguments: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      })) as { isError?: boolean; content: { text: string }[] };
      expect(r.isError, r.content[0]?.text).toBeFalsy();
      expect(r.content[0]!.text).toBe('Hello from the');
    } finally {
      await mcp.close();
    }
  });

  it('`lava-desktop env` prints it, and as a header for Claude Code (a plan sign-in stays a plan sign-in)', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [BIN, 'env', '--data-dir', lk.dataDir, ...args]).then((r) => r.stdout);
    const all = await run();
    expect(all).toContain(`export OPENAI_API_KEY='${LOCAL}'`);
    expect(all).toContain(`export ANTHROPIC_API_KEY='${LOCAL}'`);
    const claude = await run('--tool', 'claude-code');
    expect(claude).toContain(`export ANTHROPIC_CUSTOM_HEADERS='x-lava-desktop-key: ${LOCAL}'`);
    expect(claude).not.toContain('ANTHROPIC_API_KEY');
    // What env prints works: the key it gives is accepted, no key is refused.
    const ok = new OpenAI({ apiKey: LOCAL, baseURL: `${lk.gw.url}/openai/v1`, maxRetries: 0 });
    await ok.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const no = await fetch(`${lk.gw.url}/openai/v1/models`);
    expect(no.status).toBe(401);
  });
});

describe('lava_login over MCP', () => {
  it('returns the URL to open; when the browser comes back the key is saved and in use', async () => {
    const g = await startHarness(
      { lava: { baseUrl: `${sims.lava.url}/v1/` } },
      { sims, start: { lavaAppUrl: sims.lava.url } },
    );
    const mcp = new Client({ name: 'test', version: '1' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${g.gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${g.gw.adminToken}` } },
      }),
    );
    try {
      const first = (await mcp.callTool({ name: 'lava_login', arguments: {} })) as { content: { text: string }[] };
      const url = /(http:\/\/\S+\/auth\/connect\?\S+)/.exec(first.content[0]!.text)?.[1];
      expect(url).toBeTruthy();
      const again = (await mcp.callTool({ name: 'lava_login', arguments: {} })) as { content: { text: string }[] };
      expect(again.content[0]!.text).toContain('Still waiting');
      expect(again.content[0]!.text).toContain(url!);
      // The browser: Lava approves and sends it back to the gateway's callback.
      const lava = await fetch(url!, { redirect: 'manual' });
      const page = await fetch(lava.headers.get('location')!);
      expect(await page.text()).toContain("You're logged in");
      await expect
        .poll(
          async () =>
            ((await mcp.callTool({ name: 'lava_login', arguments: {} })) as { content: { text: string }[] }).content[0]!
              .text,
        )
        .toMatch(/^Signed in to Lava: secret key aks_…/);
      expect(g.ctx.config.lava.secretKey).toBe(sims.lava.login.secretKey);
      const secrets = JSON.parse(await readFile(join(g.dataDir, 'secrets.json'), 'utf8')) as {
        lava: { secretKey: string };
      };
      expect(secrets.lava.secretKey).toBe(sims.lava.login.secretKey);
    } finally {
      await mcp.close();
      await g.close();
    }
  });
});

describe('the dashboard icon', () => {
  it('/favicon.ico is the app icon, not a 404', async () => {
    const res = await fetch(`${h.gw.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/png/);
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });
});
