/**
 * Lava API simulator, forward endpoint (lava-api.md §2.1): `/v1/forward?u=<url>` with a secret
 * key or forward token as Bearer (or the provider's own header). Decodes and checks the token,
 * swaps in a managed provider key, relays to the provider simulator that stands for the URL's
 * host (streams piped as they come) and adds `x-lava-request-id`.
 */
import http from 'node:http';
import { sendJson, startServer, type Simulator } from './http-util.js';

export interface LavaSim extends Simulator {
  /** Decoded tokens in arrival order. */
  tokens: Record<string, unknown>[];
}

/** The managed key the simulator uses upstream (tests check the client's key never went there). */
export const LAVA_MANAGED_KEY = 'sk-lava-managed-0000000000';

function decode(credential: string): Record<string, unknown> | undefined {
  if (credential.startsWith('aks_')) return { secret_key: credential };
  try {
    const t = JSON.parse(Buffer.from(credential, 'base64').toString('utf8')) as Record<string, unknown>;
    return typeof t.secret_key === 'string' && t.secret_key.startsWith('aks_') ? t : undefined;
  } catch {
    return undefined;
  }
}

export async function startLava(upstreams: Record<string, string>): Promise<LavaSim> {
  let n = 0;
  const tokens: Record<string, unknown>[] = [];
  const sim = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1/forward') return sendJson(res, 404, { error: 'not found' });
    const auth =
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (req.headers['x-api-key'] as string | undefined);
    const token = auth ? decode(auth) : undefined;
    if (!token) return sendJson(res, 401, { error: 'Invalid or missing authentication' });
    tokens.push(token);
    const u = url.searchParams.get('u');
    if (!u) return sendJson(res, 400, { error: 'missing u' });
    const target = new URL(u);
    const base = upstreams[target.host];
    if (!base) return sendJson(res, 400, { error: `unsupported provider ${target.host}` });
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    delete headers.host;
    delete headers.authorization;
    delete headers['x-api-key'];
    const key = typeof token.provider_key === 'string' ? token.provider_key : LAVA_MANAGED_KEY;
    if (target.host === 'api.anthropic.com') headers['x-api-key'] = key;
    else if (target.host.startsWith('generativelanguage')) headers['x-goog-api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
    headers['content-length'] = String(Buffer.byteLength(body));
    const up = http.request(base + target.pathname + target.search, { method: req.method, headers }, (upRes) => {
      const out = { ...upRes.headers, 'x-lava-request-id': `req_sim${++n}` };
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.pipe(res);
    });
    up.on('error', () => sendJson(res, 502, { error: 'upstream unreachable' }));
    up.end(body);
  });
  (sim as LavaSim).tokens = tokens;
  return sim as LavaSim;
}
