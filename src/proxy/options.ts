/** What the proxy is told by its host: where records go, and the budget's cut for running streams. */
import type { GatewayError } from '../lib/errors.js';
import type { RequestRecord } from '../store/types.js';

export interface ProxyOptions {
  onStart: (
    r: Pick<
      RequestRecord,
      'id' | 'startedAt' | 'provider' | 'method' | 'path' | 'model' | 'stream' | 'client' | 'tool' | 'tag'
    >,
  ) => void;
  onEnd: (r: RequestRecord) => void;
  /** With a hard budget, a check run as a stream goes: given its cost so far, the refusal if it crosses the cap. */
  streamCap: () => ((partialCost: number) => GatewayError | undefined) | undefined;
}
