/**
 * Classifying a request once, at the door: which kind of proxy route it is (Lava's forward
 * endpoint, a native `/<provider>/…` route, a unified or rewrite endpoint), or none (the gateway's
 * own routes). The kind carries what was found, so nothing is looked up twice.
 */
import type { Provider, StyleId } from '../providers/types.js';
import { isForwardPath, nativeRoute, type RouteTable } from './resolve.js';
import { unifiedClient } from './plan.js';

export type RouteKind =
  | { kind: 'forward' }
  | { kind: 'native'; provider: Provider }
  /** Unified or rewrite endpoint: the API the client speaks. */
  | { kind: 'unified'; client: StyleId };

export function classify(
  method: string | undefined,
  url: string,
  path: string,
  table: RouteTable,
): RouteKind | undefined {
  if (isForwardPath(url)) return { kind: 'forward' };
  const native = nativeRoute(url, table);
  if (native) return { kind: 'native', provider: native.provider };
  const client = unifiedClient(method, path);
  return client ? { kind: 'unified', client } : undefined;
}

/** `/@<tag>/<route>` (PRODUCT.md §13): the same route, its record tagged. */
export const TAG_PATTERN = /^[a-z0-9._-]{1,40}$/;

/**
 * Splits a tagged target into its tag and the route under it (`/@claude-code/anthropic/v1/messages`
 * → `claude-code`, `/anthropic/v1/messages`); an untagged target has tag null. A tag that does not
 * match TAG_PATTERN is an error (undefined).
 */
export function splitTag(url: string): { tag: string | null; url: string } | undefined {
  if (!url.startsWith('/@')) return { tag: null, url };
  const end = url.slice(2).search(/[/?#]/);
  const tag = end < 0 ? url.slice(2) : url.slice(2, end + 2);
  if (!TAG_PATTERN.test(tag)) return undefined;
  const rest = end < 0 ? '' : url.slice(end + 2);
  return { tag, url: rest.startsWith('/') ? rest : `/${rest}` };
}
