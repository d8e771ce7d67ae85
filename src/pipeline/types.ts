/**
 * The contracts between the layers of the request pipeline (server → routing → translate → proxy
 * → metering → record): what routing decides (a Route), what translation hands the proxy (a
 * Translation). Types only, at the bottom, so every layer can name them and none imports upward.
 */
import type { Transform } from 'node:stream';
import type { ApiStyle, Provider, StyleId } from '../providers/types.js';
import type { Json } from '../lib/json.js';

export interface Route {
  /** Provider key for the record: a table/custom key, or the host for foreign URLs. */
  providerKey: string;
  provider?: Provider;
  style: ApiStyle;
  /** The provider URL the request is meant for. */
  upstream: URL;
  /** Where the request is really sent (origin override, or Lava's forward endpoint). */
  target: URL;
  mode: 'direct' | 'lava';
  /** Foreign host: connect through the SSRF-guarded agents. */
  guarded: boolean;
  /** Headers to set on the upstream request (credentials). */
  setHeaders: Record<string, string>;
  /** Who pays (PRODUCT.md §13): the client's plan, a provider API key, or Lava. */
  billing: Billing;
}

/** Who pays for a request (PRODUCT.md §13). */
export type Billing = 'subscription' | 'api' | 'lava';

/** A response in another API than the client's: how to rebuild it. */
export interface Translation {
  /** The API the client speaks (its error shape, its response shape). */
  client: StyleId;
  /** The model name the client asked for, echoed back in responses. */
  model: string;
  json(body: Json): Json;
  /** Transforms the upstream stream goes through, in order. */
  stream(): Transform[];
}
