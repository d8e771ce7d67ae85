/**
 * The runaway guard and the billing-change alert (PRODUCT.md §14), per tool: how
 * many requests a tool started in the last minute (counted as they start, so a burst stops before
 * it reaches the upstream) and what it spent in the last hour (recorded cost, plan-billed requests
 * are not money). Crossing `guards.runaway.{requestsPerMinute, dollarsPerHour}` pauses that tool
 * alone until it is resumed, also across a restart (the paused tools and each tool's last billing
 * are handed to `onChange` to keep, guard-state.ts). A tool whose requests were billed to its plan
 * and now go to an API key is announced once (`billing.changed`).
 */
import { GatewayError } from '../lib/errors.js';
import type { GatewayEvent } from './events.js';
import type { Billing, RequestRecord } from '../store/types.js';

export type GuardReason = 'requestsPerMinute' | 'dollarsPerHour';

export interface RunawayLimits {
  requestsPerMinute: number;
  dollarsPerHour: number;
}

export interface Trip {
  tool: string;
  reason: GuardReason;
  value: number;
  limit: number;
  /** When it tripped (ISO). */
  at: string;
}

/** What outlives a restart: the paused tools, and how each tool was last billed. */
export interface GuardState {
  paused: Trip[];
  billing: Record<string, Billing>;
}

/** Tools watched at once; the least recently seen untripped one is forgotten past this. */
export const MAX_TOOLS = 256;

/** A sum over a sliding window, kept in fixed buckets (constant memory whatever the rate). */
export class SlidingSum {
  private readonly sums: Float64Array;
  private readonly slots: Float64Array;

  constructor(
    private readonly bucketMs: number,
    private readonly buckets: number,
  ) {
    this.sums = new Float64Array(buckets);
    this.slots = new Float64Array(buckets).fill(-Infinity);
  }

  add(now: number, v: number): void {
    const slot = Math.floor(now / this.bucketMs);
    const i = slot % this.buckets;
    if (this.slots[i] !== slot) {
      this.slots[i] = slot;
      this.sums[i] = 0;
    }
    this.sums[i]! += v;
  }

  total(now: number): number {
    const oldest = Math.floor(now / this.bucketMs) - this.buckets;
    let t = 0;
    for (let i = 0; i < this.buckets; i++) if (this.slots[i]! > oldest) t += this.sums[i]!;
    return t;
  }
}

interface ToolState {
  requests: SlidingSum;
  dollars: SlidingSum;
  /** Who paid for its last request, for the billing-change alert. */
  billing?: Billing;
}

const fresh = (): ToolState => ({ requests: new SlidingSum(1000, 60), dollars: new SlidingSum(60_000, 60) });

const money = (v: number) => `$${v.toFixed(2)}`;

/** What a tripped tool's requests are told: which limit, its value, how to resume. */
export function tripMessage(t: Trip): string {
  const what =
    t.reason === 'requestsPerMinute'
      ? `${t.value} requests in the last minute (limit ${t.limit}, guards.runaway.requestsPerMinute)`
      : `${money(t.value)} spent in the last hour (limit ${money(t.limit)}, guards.runaway.dollarsPerHour)`;
  return (
    `Lava Desktop paused ${t.tool} (runaway guard): ${what}. Resume it with ` +
    `\`lava-desktop resume --tool ${t.tool}\`, the dashboard, or the tray.`
  );
}

export class RunawayGuard {
  private readonly tools = new Map<string, ToolState>();
  private readonly trips = new Map<string, Trip>();

  constructor(
    private readonly limits: () => RunawayLimits,
    private readonly emit: (e: GatewayEvent) => void,
    private readonly clock: () => number = Date.now,
    kept?: { initial: GuardState; onChange: (s: GuardState) => void },
  ) {
    this.onChange = kept?.onChange;
    for (const t of kept?.initial.paused ?? []) this.trips.set(t.tool, t);
    for (const [tool, billing] of Object.entries(kept?.initial.billing ?? {}))
      this.tools.set(tool, { ...fresh(), billing });
  }

  private readonly onChange?: (s: GuardState) => void;

  /**
   * At the start of a request of `tool`: its refusal while the tool is paused, or when this
   * request crosses requestsPerMinute. Calls providers do not bill (`free`) are not counted.
   */
  check(tool: string | null, free = false): GatewayError | undefined {
    if (!tool) return undefined;
    const trip = this.trips.get(tool);
    if (trip) return refusal(trip);
    const limit = this.limits().requestsPerMinute;
    if (free || limit <= 0) return undefined;
    const now = this.clock();
    const s = this.state(tool);
    s.requests.add(now, 1);
    const value = Math.round(s.requests.total(now));
    return value > limit ? refusal(this.trip(tool, 'requestsPerMinute', value, limit, now)) : undefined;
  }

  /** A finished record: its money into the tool's hour, and whether who pays changed. */
  onRecord(r: Pick<RequestRecord, 'id' | 'tool' | 'billing' | 'cost' | 'startedAt'>): void {
    if (!r.tool) return;
    const s = this.state(r.tool);
    if (r.billing && r.billing !== s.billing) {
      if (s.billing === 'subscription' && r.billing === 'api')
        this.emit({
          type: 'billing.changed',
          tool: r.tool,
          from: 'subscription',
          to: 'api',
          requestId: r.id,
          at: iso(this.clock()),
        });
      s.billing = r.billing;
      this.changed();
    }
    const cost = r.billing === 'subscription' ? 0 : Number(r.cost ?? 0);
    const limit = this.limits().dollarsPerHour;
    if (!(cost > 0) || this.trips.has(r.tool)) return;
    const now = this.clock();
    s.dollars.add(now, cost);
    const value = s.dollars.total(now);
    if (limit > 0 && value > limit) this.trip(r.tool, 'dollarsPerHour', value, limit, now);
  }

  /** Lets a paused tool send again, its windows started afresh; false if it was not paused. */
  resume(tool: string): boolean {
    if (!this.trips.delete(tool)) return false;
    const billing = this.tools.get(tool)?.billing;
    this.tools.set(tool, { ...fresh(), billing });
    this.emit({ type: 'guard.resumed', tool });
    this.changed();
    return true;
  }

  tripped(): Trip[] {
    return [...this.trips.values()];
  }

  /** Each watched tool's last minute of requests and last hour of spend (for a dashboard). */
  usage(): { tool: string; requestsPerMinute: number; dollarsPerHour: number }[] {
    const now = this.clock();
    return [...this.tools].map(([tool, s]) => ({
      tool,
      requestsPerMinute: Math.round(s.requests.total(now)),
      dollarsPerHour: s.dollars.total(now),
    }));
  }

  private trip(tool: string, reason: GuardReason, value: number, limit: number, now: number): Trip {
    const t: Trip = { tool, reason, value, limit, at: iso(now) };
    this.trips.set(tool, t);
    this.emit({ type: 'guard.tripped', ...t });
    this.changed();
    return t;
  }

  /** The state to keep: paused tools, and the billing of the tools watched now. */
  kept(): GuardState {
    const billing: Record<string, Billing> = {};
    for (const [tool, s] of this.tools) if (s.billing) billing[tool] = s.billing;
    return { paused: [...this.trips.values()], billing };
  }

  private changed(): void {
    this.onChange?.(this.kept());
  }

  /** A tool's windows, most recently seen last; the oldest untripped tool is dropped past MAX_TOOLS. */
  private state(tool: string): ToolState {
    let s = this.tools.get(tool);
    if (s) this.tools.delete(tool);
    else {
      s = fresh();
      if (this.tools.size >= MAX_TOOLS)
        for (const name of this.tools.keys())
          if (!this.trips.has(name)) {
            this.tools.delete(name);
            break;
          }
    }
    this.tools.set(tool, s);
    return s;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

const refusal = (t: Trip) => new GatewayError(429, 'runaway_guard', tripMessage(t));
