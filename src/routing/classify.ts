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
