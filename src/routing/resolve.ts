/**
 * Where a proxied request goes and with which credentials (PRODUCT.md §3–§4): native routes
 * `/<provider>/<path>`, and Lava-compatible `/v1/forward?u=<url>` in every form real clients
 * send. Credentials are injected only when the upstream is that provider's configured origin;
 * other hosts are subject to the SSRF rules.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { GatewayError } from '../lib/errors.js';
import { providerForUrl, STYLES } from '../providers/registry.js';
import type { Provider } from '../providers/types.js';
import type { Route } from '../pipeline/types.js';

export type { Route } from '../pipeline/types.js';
import { clientCredential, providerAuthHeaders, stripCredentials } from './credentials.js';
import { isPrivateAddress } from '../proxy/ssrf.js';
import { forwardToken, lavaBaseFor, lavaSecretOf } from '../lava/token.js';

export interface LavaSettings {
  secretKey?: string;
  baseUrl?: string;
  customerId?: string;
  meterSlug?: string;
}

export interface RouteTable {
  providers: Map<string, Provider>;
  lava: LavaSettings;
  allowedHosts: readonly string[];
}

const FORWARD = '/v1/forward';

export function isForwardPath(path: string): boolean {
  return path === FORWARD || path.startsWith(FORWARD + '/') || path.startsWith(FORWARD + '?');
}

/** The absolute upstream URL of a `/v1/forward` request, whichever way the client wrote it. */
export function forwardUrl(rawUrl: string): URL {
  const qi = rawUrl.indexOf('?');
  const path = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
  const query = qi < 0 ? '' : rawUrl.slice(qi + 1);
  const m = /(?:^|&)u=/.exec(query);
  if (!m) throw new GatewayError(400, 'missing_upstream', 'forward needs the upstream URL in the "u" query parameter');
  const rest = query.slice(m.index + m[0].length);
  let u: string;
  if (/^https?%3A/i.test(rest)) {
    const end = rest.indexOf('&');
    try {
      u = decodeURIComponent(end < 0 ? rest : rest.slice(0, end));
    } catch {
      throw new GatewayError(400, 'bad_upstream', '"u" has a malformed %-escape');
    }
  } else {
    // Unencoded (the SDK's `providers.*`): everything after `u=` is the URL, its own query included.
    u = !rest.includes('?') && rest.includes('&') ? rest.replace('&', '?') : rest;
  }
  const suffix = path.slice(FORWARD.length);
  if (suffix) {
    const [p = '', q] = splitOnce(u, '?');
    u = p.replace(/\/$/, '') + suffix + (q === undefined ? '' : `?${q}`);
  }
  if (!URL.canParse(u)) throw new GatewayError(400, 'bad_upstream', `"u" is not an absolute URL`);
  const url = new URL(u);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GatewayError(400, 'bad_upstream', `"u" must be an http(s) URL`);
  }
  // @anthropic-ai/sdk appends /v1/messages to a base that already ends in /v1.
  url.pathname = url.pathname.replace(/^((?:\/[^/]+)*?)\/v1\/v1\//, '$1/v1/');
  return url;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** `/<provider>/<rest>` → the provider and the path to append to its origin. */
export function nativeRoute(rawUrl: string, table: RouteTable): { provider: Provider; rest: string } | undefined {
  const m = /^\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/.exec(rawUrl);
  if (!m) return undefined;
  const provider = table.providers.get(m[1]!);
  if (!provider) return undefined;
  return { provider, rest: (m[2] ?? '/') + (m[3] ?? '') };
}

/** Appends a path+query to an origin that may carry a path prefix. */
export function joinOrigin(origin: URL, pathAndQuery: string): URL {
  const prefix = origin.pathname.replace(/\/$/, '');
  return new URL(origin.origin + prefix + pathAndQuery);
}

/** The path and query after `/<key>` of a native route's target (`/` when there is none). */
function restAfter(rawUrl: string, key: string): string {
  const rest = rawUrl.slice(key.length + 1);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * The route of a `/v1/forward` request, or of a native one whose provider classification found
 * (the target as it is now: a credential of the gateway's own may have left its query since).
 */
export function resolveRoute(
  rawUrl: string,
  headers: IncomingHttpHeaders,
  table: RouteTable,
  native = isForwardPath(rawUrl) ? undefined : nativeRoute(rawUrl, table)?.provider,
): Route {
  if (native) return providerRoute(native, restAfter(rawUrl, native.key), headers, table);
  if (!isForwardPath(rawUrl))
    throw new GatewayError(404, 'unknown_route', `no provider route for ${rawUrl.split('?')[0]}`);
  const url = forwardUrl(rawUrl);
  const provider = providerForUrl(table.providers, url);
  if (provider) return providerRoute(provider, url.pathname + url.search, headers, table);
  return foreignRoute(url, headers, table);
}

export function providerRoute(
  p: Provider,
  pathAndQuery: string,
  headers: IncomingHttpHeaders,
  table: RouteTable,
): Route {
  const upstream = joinOrigin(p.documented, pathAndQuery);
  const base = { providerKey: p.key, provider: p, style: p.style, upstream, guarded: false };
  const lava = table.lava;
  const target = joinOrigin(p.origin, pathAndQuery);
  const own = clientCredential(headers, target);
  // A client signed in with its own plan keeps it: Lava or a configured key would bill it per token.
  const plan = own !== undefined && p.style.isSubscription?.(own) === true;
  if (plan && !p.replaceSubscription)
    return { ...base, mode: 'direct', target, setHeaders: {}, billing: 'subscription' };
  if (p.mode === 'lava' && lava.secretKey) {
    stripCredentials(headers, upstream);
    const token = forwardToken({
      secret_key: lava.secretKey,
      customer_id: lava.customerId,
      meter_slug: lava.meterSlug,
      provider_key: p.byok ? p.apiKey : undefined,
    });
    return {
      ...base,
      mode: 'lava',
      target: lavaForward(lava.baseUrl, lava.secretKey, upstream),
      setHeaders: { authorization: `Bearer ${token}` },
      billing: 'lava',
    };
  }
  if (p.apiKey) {
    stripCredentials(headers, target);
    return { ...base, mode: 'direct', target, setHeaders: providerAuthHeaders(p, p.apiKey), billing: 'api' };
  }
  const lavaSecret = own ? lavaSecretOf(own) : undefined;
  if (lavaSecret) {
    // The client brought a Lava key or forward token: hand the request to Lava as it is.
    const to = lavaForward(lava.baseUrl, lavaSecret, upstream);
    return { ...base, mode: 'lava', target: to, setHeaders: {}, billing: 'lava' };
  }
  return { ...base, mode: 'direct', target, setHeaders: {}, billing: plan ? 'subscription' : 'api' };
}

function lavaForward(configured: string | undefined, secret: string, upstream: URL): URL {
  return new URL(`${lavaBaseFor(secret, configured)}forward?u=${encodeURIComponent(upstream.href)}`);
}

function foreignRoute(url: URL, headers: IncomingHttpHeaders, table: RouteTable): Route {
  const allowed = table.allowedHosts.some((h) => h === url.host || h === url.hostname);
  if (!allowed) {
    if (!clientCredential(headers, url)) {
      throw new GatewayError(
        403,
        'host_not_allowed',
        `${url.host} is not a known provider; add it to forward.allowedHosts or send your own credentials`,
      );
    }
    if (isIP(url.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(url.hostname)) {
      throw new GatewayError(
        403,
        'private_address',
        `${url.host} is a private or loopback address; add it to forward.allowedHosts to allow it`,
      );
    }
    if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
      throw new GatewayError(
        403,
        'private_address',
        `${url.host} is loopback; add it to forward.allowedHosts to allow it`,
      );
    }
  }
  return {
    providerKey: url.hostname,
    style: STYLES.openai,
    upstream: url,
    target: url,
    mode: 'direct',
    guarded: !allowed,
    setHeaders: {},
    billing: 'api',
  };
}
