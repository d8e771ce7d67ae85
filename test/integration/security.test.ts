/**
 * Security on day one (PRODUCT.md §10): Host check (DNS rebinding), Origin refusal, admin token,
 * SSRF rules for /v1/forward, body limit → 413 without a reset, secrets never shown in full.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, startHarness, type Harness } from './harness.js';
import { startServer, type Simulator } from '../simulators/http-util.js';

let h: Harness;
let lan: Simulator;
beforeAll(async () => {
  lan = await startServer((_req, res) => void res.end('internal service'));
  h = await startHarness({ limits: { bodyBytes: 4096 }, security: { allowedOrigins: ['https://allowed.example'] } });
});
afterAll(async () => {
  await h.close();
  await lan.close();
});

/** A raw request, so Host and Origin can be anything. */
function raw(
  opts: http.RequestOptions & { body?: string | Buffer; chunked?: boolean },
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const url = new URL(h.gw.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, ...opts }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const buf = Buffer.from(opts.body);
        for (let i = 0; i < buf.length; i += 1024) req.write(buf.subarray(i, i + 1024));
      } else req.write(opts.body);
    }
    req.end();
  });
}

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
const json = { 'content-type': 'application/json' };

describe('host and origin', () => {
  it('refuses a foreign Host on every route (DNS rebinding)', async () => {
    for (const path of ['/healthz', '/api/settings', '/openai/v1/models']) {
      const r = await raw({ path, headers: { host: `attacker.example:${new URL(h.gw.url).port}` } });
      expect(r.status).toBe(421);
    }
    expect((await raw({ path: '/healthz', headers: { host: 'localhost:1' } })).status).toBe(421);
    expect((await raw({ path: '/healthz', headers: { host: `localhost:${new URL(h.gw.url).port}` } })).status).toBe(
      200,
    );
  });

  it('refuses browser requests on proxy routes unless their Origin is allowed, in the client API shape', async () => {
    const bad = await raw({
      path: '/openai/v1/chat/completions',
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body: chatBody,
    });
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'origin_not_allowed' } });
    const anth = await raw({
      path: '/anthropic/v1/messages',
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body: '{}',
    });
    expect(JSON.parse(anth.body)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    const ok = await raw({
      path: '/openai/v1/chat/completions',
      method: 'POST',
      headers: { ...json, origin: 'https://allowed.example' },
      body: chatBody,
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign Origin on /api even with the token; needs the token without one', async () => {
    const auth = { authorization: `Bearer ${h.gw.adminToken}` };
    expect((await raw({ path: '/api/settings', headers: { ...auth, origin: 'https://evil.example' } })).status).toBe(
      403,
    );
    expect((await raw({ path: '/api/settings' })).status).toBe(401);
    expect((await raw({ path: '/api/settings', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const own = await raw({ path: '/api/settings', headers: { ...auth, origin: h.gw.url } });
    expect(own.status).toBe(200);
  });
});

describe('secrets', () => {
  it('GET /api/settings masks every key', async () => {
    const r = await raw({ path: '/api/settings', headers: { authorization: `Bearer ${h.gw.adminToken}` } });
    for (const k of Object.values(KEYS)) expect(r.body).not.toContain(k);
    const s = JSON.parse(r.body) as { settings: { providers: { openai: { apiKey: string } } } };
    expect(s.settings.providers.openai.apiKey).toBe(`sk-…${KEYS.openai.slice(-4)}`);
  });
});

describe('forward SSRF rules', () => {
  const fwd = (u: string, headers: http.OutgoingHttpHeaders = {}) =>
    raw({ path: `/v1/forward?u=${u}`, method: 'POST', headers: { ...json, ...headers }, body: '{}' });

  it('refuses an unknown host without allowlist or own credentials', async () => {
    const r = await fwd('https://api.unknown-provider.example/v1/x');
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.code).toBe('host_not_allowed');
  });

  it('refuses loopback and private addresses even with own credentials', async () => {
    for (const u of [
      `${lan.url}/`,
      'http://localhost:9/',
      'http://10.1.2.3/',
      'http://[::1]:9/',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      const r = await fwd(u, { authorization: 'Bearer my-own-key' });
      expect(r.status, u).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('private_address');
    }
    expect(lan.received).toHaveLength(0);
  });

  it('reaches an allowlisted private host, without injecting any configured key', async () => {
    const g = await startHarness({ forward: { allowedHosts: [new URL(lan.url).host] } }, { sims: h.sims });
    try {
      const res = await fetch(`${g.gw.url}/v1/forward?u=${lan.url}/anything`, { method: 'POST', body: '{}' });
      expect(await res.text()).toBe('internal service');
      expect(lan.received.at(-1)!.headers.authorization).toBeUndefined();
    } finally {
      await g.close();
    }
  });
});

describe('body limit', () => {
  const big = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(20_000) }] });

  it('answers 413 in the OpenAI shape for a large body with content-length', async () => {
    const r = await raw({ path: '/openai/v1/chat/completions', method: 'POST', headers: json, body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'request_too_large', type: 'lava_desktop_error' } });
  });

  it('answers 413 in the Anthropic shape for a 2 MB chunked upload, draining it (no reset)', async () => {
    const huge = JSON.stringify({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }],
    });
    const r = await raw({
      path: '/anthropic/v1/messages',
      method: 'POST',
      headers: { ...json, 'transfer-encoding': 'chunked' },
      body: huge,
      chunked: true,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    const rec = await h.record(r.headers['x-lava-desktop-request-id'] as string);
    expect(rec).toMatchObject({ status: 413, provider: 'anthropic' });
  });
});

describe('local key and websockets', () => {
  it('with security.localKey, proxy routes need it; it is never forwarded', async () => {
    const g = await startHarness({ security: { localKey: 'local-key-123456' } }, { sims: h.sims });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(`${g.gw.url}/openai/v1/chat/completions`, {
          method: 'POST',
          headers: { ...json, ...headers },
          body: chatBody,
        });
      const none = await post({ authorization: 'Bearer wrong' });
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('local_key_required');
      expect((await post({ authorization: 'Bearer local-key-123456' })).status).toBe(200);
      expect(h.sims.openai.received.at(-1)!.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
      expect((await post({ 'x-lava-desktop-key': 'local-key-123456' })).status).toBe(200);
      expect(h.sims.openai.received.at(-1)!.headers['x-lava-desktop-key']).toBeUndefined();
    } finally {
      await g.close();
    }
  });

  it('refuses a WebSocket upgrade at once with 426', async () => {
    const r = await raw({
      path: '/openai/v1/responses',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch((e: Error) => ({ status: -1, body: e.message, headers: {} }));
    expect(r.status).toBe(426);
  });
});
