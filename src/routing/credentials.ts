/**
 * Credential handling on proxy routes. The client's placeholder credentials are removed from
 * every header a provider SDK may use (and `?key=`) before the gateway's own are injected; with
 * nothing configured, the client's credentials pass through untouched.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Provider } from '../providers/types.js';

export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'xi-api-key'] as const;

export function stripCredentials(headers: IncomingHttpHeaders, url: URL): void {
  for (const h of CREDENTIAL_HEADERS) delete headers[h];
  // Touching searchParams parses the query: only do it when a key may be there.
  if (url.search.includes('key=')) url.searchParams.delete('key');
}

/** The credential a client sent, from whichever header its SDK uses. */
export function clientCredential(headers: IncomingHttpHeaders, url: URL): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (m) return m[1]!.trim();
  }
  for (const h of CREDENTIAL_HEADERS.slice(1)) {
    const v = headers[h];
    if (typeof v === 'string' && v) return v;
  }
  return url.search.includes('key=') ? (url.searchParams.get('key') ?? undefined) : undefined;
}

export function providerAuthHeaders(p: Provider, key: string): Record<string, string> {
  if (p.authHeader) {
    const name = p.authHeader.toLowerCase();
    return { [name]: name === 'authorization' ? `Bearer ${key}` : key };
  }
  return p.style.authHeaders(key);
}

/** The request target as a URL for reading its query; a target that does not parse reads as empty. */
export function requestUrl(rawUrl: string): URL {
  return URL.canParse(rawUrl, 'http://x') ? new URL(rawUrl, 'http://x') : new URL('http://x');
}

/** The request target without its `key` query parameter (Gemini clients put their key there). */
export function withoutQueryKey(rawUrl: string): string {
  const qi = rawUrl.indexOf('?');
  if (qi < 0 || !rawUrl.includes('key=', qi)) return rawUrl;
  const params = new URLSearchParams(rawUrl.slice(qi + 1));
  params.delete('key');
  const rest = params.toString();
  return rawUrl.slice(0, qi) + (rest ? `?${rest}` : '');
}
