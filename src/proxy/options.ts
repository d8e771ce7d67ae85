/** What the proxy is told by its host: where records go, and the budget's cut for running streams. */
import type { RequestRecord } from '../store/types.js';

export interface ProxyOptions {
  onStart: (
    r: Pick<
      RequestRecord,
      'id' | 'startedAt' | 'provider' | 'method' | 'path' | 'model' | 'stream' | 'client' | 'tool' | 'tag'
    >,
  ) => void;
  onEnd: (r: RequestRecord) => void;
}
