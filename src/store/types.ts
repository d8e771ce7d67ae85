/** The request record (PRODUCT.md §5) and the store interface the rest of the gateway uses. */
import type { Usage } from '../providers/usage.js';
import type { StoreHealth } from './health.js';

export type { StoreHealth } from './health.js';

import type { Billing } from '../pipeline/types.js';
export type { Billing } from '../pipeline/types.js';

export interface RequestRecord {
  id: string;
  startedAt: string;
  durationMs: number;
  ttfbMs?: number;
  provider: string;
  mode: 'direct' | 'lava';
  method: string;
  path: string;
  /** Upstream URL without query string (queries can hold keys). */
  upstream?: string;
  model?: string;
  stream: boolean;
  status: number;
  error?: string;
  usage?: Usage;
  usageSource: 'response' | 'estimated' | 'none';
  cost?: string;
  /** `free`: a call providers do not bill (token counting, listing), recorded at `cost: "0"`. */
  costSource: 'prices' | 'lava' | 'unknown' | 'free';
  pricesVersion: string;
  responseId?: string;
  lavaRequestId?: string;
  client: string;
  /** Who and where (PRODUCT.md §13): the route's `/@<tag>/`, the tool, where it ran, who pays. */
  tag?: string | null;
  tool?: string | null;
  /** The tool's working directory, git branch and session, joined from its session files (may come later). */
  project?: string | null;
  branch?: string | null;
  session?: string | null;
  billing?: Billing | null;
  origin?: 'local' | 'remote';
  sync: 'local' | 'pending' | 'synced';
  /** On the unified endpoints: the API the client spoke (the provider's is the provider's style). */
  clientFormat?: string;
  /** On the unified endpoints: the API the provider spoke. */
  providerFormat?: string;
  /** The gateway's own estimate, kept when Lava's cost replaces it (drift per model). */
  localCost?: string;
  bodies?: { request?: string; response?: string };
}

/** One rollup cell: totals for an hour × provider × model (usage fields summed). */
export interface RollupCell extends Required<Omit<Usage, 'audio_tokens'>> {
  requests: number;
  errors: number;
  cost: number;
  /** Requests whose cost is unknown (model not in the price data). */
  unpriced: number;
  /** Requests whose local estimate was replaced by Lava's cost, with both sums (drift). */
  synced: number;
  synced_cost: number;
  synced_estimate: number;
}

/** The dimensions a rollup cell is kept by besides its hour (PRODUCT.md §13's breakdowns). */
export const ROLLUP_DIMENSIONS = ['provider', 'model', 'tool', 'billing', 'project', 'branch', 'session'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export interface RollupRow extends RollupCell {
  /** Hour, `YYYY-MM-DDTHH` in UTC. */
  hour: string;
  provider: string;
  model: string;
  /** null: not known (records from before these fields, or not attributed). */
  tool: string | null;
  billing: Billing | null;
  project: string | null;
  branch: string | null;
  session: string | null;
}

export interface RecordPage {
  data: RequestRecord[];
  nextCursor?: string;
}

export interface ListOptions {
  cursor?: string;
  limit: number;
  /** Only records it accepts are returned; paging continues past the others. */
  filter?: (r: RequestRecord) => boolean;
  /** Stop after looking at this many records (the cursor continues from there). */
  maxScan?: number;
}

export interface UsageStore {
  /** Records one request; returns at once (the write is coalesced off the request path). */
  append(record: RequestRecord): void;
  /** Newest first, by completion order. */
  list(opts: ListOptions): Promise<RecordPage>;
  get(id: string): Promise<RequestRecord | undefined>;
  /** Every record of a UTC day (`YYYY-MM-DD`), in completion order. */
  recordsOfDay(day: string): Promise<RequestRecord[]>;
  /** Changes fields of a stored record; a cost change is carried into the rollups. */
  update(id: string, patch: Partial<RequestRecord>): Promise<RequestRecord | undefined>;
  /** Rollup rows whose hour lies in [from, to). */
  rollups(from: Date, to: Date): Promise<RollupRow[]>;
  /** Days (`YYYY-MM-DD`, UTC) that hold records, oldest first. */
  days(): Promise<string[]>;
  /** Writes what changed; rejects when this write failed (later writes try again by themselves). */
  flush(): Promise<void>;
  /** `ok`, or `degraded` while writes fail, with how many records are not on disk yet. */
  health(): StoreHealth;
  /** Writes everything; never throws (what cannot be written is saved aside, see CloseResult). */
  close(): Promise<CloseResult>;
}

export interface CloseResult {
  /** Records that could not be written to the data dir. */
  unwritten: number;
  /** Where they were saved instead (the next start stores them), if anywhere. */
  savedTo?: string;
  error?: string;
}
