/**
 * Lava simulator (lava-api.md §2.1, §3, §4), one server for the API and the web app:
 * - `/v1/forward?u=<url>`: checks the secret key or forward token (Bearer or the provider's own
 *   header), swaps in a managed (or BYOK) provider key, relays to the provider simulator for the
 *   URL's host (streams piped as they come), adds `x-lava-request-id`, and records a
 *   `RestRequest` with the provider's `response_id` and a cost that differs from list prices.
 * - REST: `GET/POST /v1/requests` (cursor paging, newest first), `GET /v1/requests/:id`,
 *   `GET /v1/usage`, `GET /v1/models`, `POST /v1/auth/callback`; failures on demand.
 * - Browser login: `GET /auth/connect?state&port` approves at once and redirects to the CLI's
 *   loopback callback, as a signed-in user would.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { sendJson, startServer, type Simulator } from './http-util.js';

export interface LavaRecord {
  request_id: string;
  status: string;
  customer_id?: string;
  meter_id?: string;
  provider?: string;
  provider_key_type?: string;
  model?: string;
  endpoint?: string;
  response_id?: string;
  model_usage: Record<string, unknown>;
  cost: string;
  charge: Record<string, unknown>;
  metadata: Record<string, string>;
  timestamp?: string;
  created_at: string;
}

export interface LavaSim extends Simulator {
  /** Decoded tokens in arrival order. */
  tokens: Record<string, unknown>[];
  /** Lava's records, newest first. */
  records: LavaRecord[];
  /** `POST /v1/requests` calls whose request_id Lava already had. */
  duplicates: number;
  /** Secret keys the API accepts. */
  validKeys: Set<string>;
  /** Answer the next `n` REST calls with `status` (429, 500…); `offline` drops connections. */
  failNext(status: number | 'offline', n?: number): void;
  /** Forward answers 402 (insufficient balance) while true. */
  broke: boolean;
  /** While true, `POST /v1/requests` is recorded but never answered (a crash before the ack). */
  holdCreates: boolean;
  /** Login: the code the next approval issues, and the credentials it exchanges for. */
  login: { secretKey: string; deny: boolean };
  /** REST calls by `METHOD path`. */
  calls: Map<string, number>;
}

/** The managed key the simulator uses upstream (tests check the client's key never went there). */
export const LAVA_MANAGED_KEY = 'sk-lava-managed-0000000000';
/** Lava's price in this simulator: $2 per million tokens, whatever the model (differs from list prices). */
export const LAVA_PRICE_PER_TOKEN = 0.000002;

function decode(credential: string): Record<string, unknown> | undefined {
  if (credential.startsWith('aks_')) return { secret_key: credential };
  try {
    const t = JSON.parse(Buffer.from(credential, 'base64').toString('utf8')) as Record<string, unknown>;
    return typeof t.secret_key === 'string' && t.secret_key.startsWith('aks_') ? t : undefined;
  } catch {
    return undefined;
  }
}

const num = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? 0);

/** Usage and ids read back from a provider reply, as Lava's logger does after the response. */
function meterReply(text: string): { responseId?: string; model?: string; input: number; output: number } {
  const responseId =
    /"id":\s*"((?:chatcmpl|msg|resp)[^"]*|gem-[^"]*)"/.exec(text)?.[1] ?? /"responseId":\s*"([^"]+)"/.exec(text)?.[1];
  const model = /"model(?:Version)?":\s*"([^"]+)"/.exec(text)?.[1];
  const input =
    num(/"prompt_tokens":\s*(\d+)/, text) ||
    num(/"input_tokens":\s*(\d+)/, text) + num(/"cache_read_input_tokens":\s*(\d+)/, text) ||
    [...text.matchAll(/"promptTokenCount":\s*(\d+)/g)].map((m) => Number(m[1])).at(-1) ||
    0;
  const outs = [...text.matchAll(/"(?:completion_tokens|output_tokens|candidatesTokenCount)":\s*(\d+)/g)].map((m) =>
    Number(m[1]),
  );
  return { responseId, model, input, output: outs.at(-1) ?? 0 };
}

export async function startLava(upstreams: Record<string, string>): Promise<LavaSim> {
  let n = 0;
  let fail: { status: number | 'offline'; left: number } | undefined;
  const codes = new Map<string, number>();
  const state = {
    tokens: [] as Record<string, unknown>[],
    records: [] as LavaRecord[],
    duplicates: 0,
    validKeys: new Set<string>(),
    broke: false,
    holdCreates: false,
    login: { secretKey: 'aks_test_fromlogin_0001', deny: false },
    calls: new Map<string, number>(),
  };
  const money = (x: number) => x.toFixed(10);
  const addRecord = (r: Omit<LavaRecord, 'charge' | 'metadata' | 'status'> & Partial<LavaRecord>) => {
    const rec: LavaRecord = {
      status: 'completed',
      charge: { amount: money(0), rate_type: 'fixed', breakdown: [] },
      metadata: {},
      ...r,
    };
    state.records.unshift(rec);
    return rec;
  };

  const sim = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname.replace(/\/req_[^/]+$|\/[0-9A-Z]{26}$/, '/:id')}`;
    state.calls.set(route, (state.calls.get(route) ?? 0) + 1);
    if (url.pathname === '/auth/connect') return connect(url, res);
    if (url.pathname === '/v1/auth/callback' && req.method === 'POST') return exchange(body, res);
    if (url.pathname === '/v1/forward') return forward(req, res, body, url);
    if (fail && fail.left > 0) {
      fail.left--;
      if (fail.status === 'offline') return void res.socket?.destroy();
      return sendJson(res, fail.status, { error: `simulated ${fail.status}` });
    }
    if (url.pathname === '/v1/models')
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }],
      });
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || !state.validKeys.has(key)) return sendJson(res, 401, { error: 'Invalid API key' });
    if (url.pathname === '/v1/requests' && req.method === 'GET') return list(url, res);
    if (url.pathname === '/v1/requests' && req.method === 'POST') return create(body, res);
    const one = /^\/v1\/requests\/([^/]+)$/.exec(url.pathname);
    if (one && req.method === 'GET') {
      const rec = state.records.find((r) => r.request_id === decodeURIComponent(one[1]!));
      return rec ? sendJson(res, 200, rec) : sendJson(res, 404, { error: 'Request not found' });
    }
    if (url.pathname === '/v1/usage') return usage(url, res);
    sendJson(res, 404, { error: 'not found' });
  });

  function list(url: URL, res: http.ServerResponse) {
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 10));
    const cursor = url.searchParams.get('cursor');
    const start = cursor
      ? state.records.findIndex((r) => r.request_id === Buffer.from(cursor, 'base64url').toString()) + 1
      : 0;
    const page = state.records.slice(start, start + limit);
    const more = start + limit < state.records.length;
    sendJson(res, 200, {
      data: page,
      has_more: more,
      ...(more ? { next_cursor: Buffer.from(page.at(-1)!.request_id).toString('base64url') } : {}),
    });
  }

  function create(body: string, res: http.ServerResponse) {
    const p = JSON.parse(body) as Record<string, unknown>;
    for (const k of ['request_id', 'customer_id', 'meter_slug']) {
      if (typeof p[k] !== 'string') return sendJson(res, 400, { error: `${k} is required` });
    }
    const existing = state.records.find((r) => r.request_id === p.request_id);
    if (existing) {
      state.duplicates++;
      return sendJson(res, 200, existing);
    }
    const input = Number(p.input_tokens ?? 0);
    const output = Number(p.output_tokens ?? 0);
    const rec = addRecord({
      request_id: String(p.request_id),
      status: 'pending',
      customer_id: String(p.customer_id),
      meter_id: `prd_${String(p.meter_slug)}`,
      metadata: (p.metadata as Record<string, string>) ?? {},
      model_usage: {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        input_characters: Number(p.input_characters ?? 0),
      },
      cost: money(0),
      created_at: new Date().toISOString(),
    });
    if (state.holdCreates) return; // recorded, never acknowledged
    sendJson(res, 200, rec);
  }

  function usage(url: URL, res: http.ServerResponse) {
    const start = Date.parse(url.searchParams.get('start') ?? '');
    if (Number.isNaN(start)) return sendJson(res, 400, { error: 'start is required' });
    const end = Date.parse(url.searchParams.get('end') ?? '') || Date.now();
    const inRange = state.records.filter((r) => Date.parse(r.created_at) >= start && Date.parse(r.created_at) <= end);
    const totals = {
      total_requests: inRange.length,
      total_usage_tokens: inRange.reduce((s, r) => s + Number(r.model_usage.total_tokens ?? 0), 0),
      total_cost: money(inRange.reduce((s, r) => s + Number(r.cost), 0)),
      total_charge: money(0),
    };
    sendJson(res, 200, { items: [], totals });
  }

  function connect(url: URL, res: http.ServerResponse) {
    const port = url.searchParams.get('port');
    const st = url.searchParams.get('state');
    if (state.login.deny) {
      res.writeHead(302, { location: `http://127.0.0.1:${port}/callback?error=access_denied&state=${st}` });
      return void res.end();
    }
    const code = randomBytes(8).toString('hex');
    codes.set(code, Date.now());
    res.writeHead(302, { location: `http://127.0.0.1:${port}/callback?code=${code}&state=${st}` });
    res.end();
  }

  function exchange(body: string, res: http.ServerResponse) {
    const code = String((JSON.parse(body || '{}') as { code?: string }).code ?? '');
    const issued = codes.get(code);
    codes.delete(code); // single use
    if (!issued || Date.now() - issued > 60_000) return sendJson(res, 400, { error: 'Invalid or expired code' });
    state.validKeys.add(state.login.secretKey);
    sendJson(res, 200, {
      wallet_id: 'wal_sim',
      secret_key_id: 'sk_id_sim',
      secret_key: state.login.secretKey,
      merchant_id: 'mer_sim',
      account_id: 'acc_sim',
    });
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: string, url: URL) {
    const auth =
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
      (req.headers['x-api-key'] as string | undefined) ??
      (req.headers['x-goog-api-key'] as string | undefined);
    const token = auth ? decode(auth) : undefined;
    if (!token) return sendJson(res, 401, { error: 'Invalid or missing authentication' });
    state.tokens.push(token);
    if (state.validKeys.size && !state.validKeys.has(String(token.secret_key)))
      return sendJson(res, 401, { error: 'Invalid API key' });
    if (state.broke) return sendJson(res, 402, { error: 'Insufficient wallet balance' });
    const u = url.searchParams.get('u');
    if (!u) return sendJson(res, 400, { error: 'missing u' });
    const target = new URL(u);
    const base = upstreams[target.host];
    if (!base) return sendJson(res, 400, { error: `unsupported provider ${target.host}` });
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of ['host', 'authorization', 'x-api-key', 'x-goog-api-key']) delete headers[h];
    const key = typeof token.provider_key === 'string' ? token.provider_key : LAVA_MANAGED_KEY;
    if (target.host === 'api.anthropic.com') headers['x-api-key'] = key;
    else if (target.host.startsWith('generativelanguage')) headers['x-goog-api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
    headers['content-length'] = String(Buffer.byteLength(body));
    const requestId = `req_sim${String(++n).padStart(6, '0')}`;
    const up = http.request(base + target.pathname + target.search, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, 'x-lava-request-id': requestId });
      let text = '';
      upRes.on('data', (c: Buffer) => (text += c.toString()));
      upRes.pipe(res);
      upRes.on('end', () => {
        // Logged after the response, as Lava does.
        const m = meterReply(text);
        addRecord({
          request_id: requestId,
          customer_id: typeof token.customer_id === 'string' ? token.customer_id : undefined,
          provider: target.host.split('.').at(-2),
          provider_key_type: token.provider_key ? 'unmanaged' : 'managed',
          model: m.model,
          endpoint: `${req.method} ${u}`,
          response_id: m.responseId,
          model_usage: { input_tokens: m.input, output_tokens: m.output, total_tokens: m.input + m.output },
          cost: money((m.input + m.output) * LAVA_PRICE_PER_TOKEN),
          created_at: new Date().toISOString(),
        });
      });
    });
    up.on('error', () => sendJson(res, 502, { error: 'upstream unreachable' }));
    up.end(body);
  }

  return Object.defineProperties(sim as LavaSim, {
    tokens: { get: () => state.tokens },
    records: { get: () => state.records },
    duplicates: { get: () => state.duplicates },
    validKeys: { get: () => state.validKeys },
    calls: { get: () => state.calls },
    login: { get: () => state.login },
    broke: { get: () => state.broke, set: (v: boolean) => (state.broke = v) },
    holdCreates: { get: () => state.holdCreates, set: (v: boolean) => (state.holdCreates = v) },
    failNext: { value: (status: number | 'offline', count = 1) => (fail = { status, left: count }) },
  });
}
