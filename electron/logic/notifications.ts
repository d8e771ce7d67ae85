/**
 * Which gateway events deserve a desktop notification, what it says, which dashboard page a
 * click opens — and a rate limit so a burst of events does not become a burst of pop-ups.
 */
import type { GatewayEvent } from '../../src/index.js';

export interface NotificationModel {
  key: string;
  title: string;
  body: string;
  page: 'spend' | 'sync' | 'settings' | 'live';
}

/** What the shell reacts to: the gateway's own events, and one of its own (the port it fell back from). */
export type AppEvent = GatewayEvent | { type: 'port-in-use'; wanted: number; got: number };

const SYNC_FAILING_MS = 10 * 60_000;

export function notificationFor(e: AppEvent, now: number, syncFailingSince?: number): NotificationModel | undefined {
  switch (e.type) {
    case 'budget.alert': {
      return {
        key: `budget:${e.period}:${e.threshold}`,
        title:
          e.threshold >= 100 ? `${cap(e.period)} budget reached` : `${e.threshold}% of your ${e.period} budget used`,
        body: `$${Number(e.spent).toFixed(2)} of $${e.limit.toFixed(2)}.`,
        page: 'spend',
      };
    }
    case 'sync.status': {
      const s = e.status;
      if (s.state === 'invalid_key')
        return {
          key: 'sync:invalid-key',
          title: 'Lava sync stopped',
          body: 'Lava rejected the secret key. Check it in Keys & settings.',
          page: 'settings',
        };
      if (s.state === 'retrying' && syncFailingSince !== undefined && now - syncFailingSince >= SYNC_FAILING_MS) {
        return {
          key: 'sync:failing',
          title: 'Lava sync is failing',
          body: s.lastError ?? 'Sync has failed for more than 10 minutes.',
          page: 'sync',
        };
      }
      return undefined;
    }
    case 'request.completed': {
      const r = e.request;
      if (r.error === 'lava: insufficient wallet balance')
        return {
          key: 'lava:402',
          title: 'Lava wallet is empty',
          body: 'Add funds to your Lava wallet to keep going.',
          page: 'sync',
        };
      return undefined;
    }
    case 'store.health': {
      const h = e.health;
      if (h.state !== 'degraded') return undefined;
      return {
        key: 'store:degraded',
        title: 'Lava Desktop cannot save records',
        body: `${h.error ?? 'Writing to the data folder fails'}. Requests are kept in memory and saved when the disk allows.`,
        page: 'live',
      };
    }
    case 'settings.upstream_changed': {
      return {
        key: `upstream:${e.key}:${e.to}`,
        title: 'Where requests go has changed',
        body: `${e.key} now points at ${e.to ?? 'the default'}.`,
        page: 'settings',
      };
    }
    case 'guard.tripped':
      return guardTripped(e);
    case 'billing.changed': {
      return {
        key: `billing:${e.tool}:${e.at}`,
        title: `${toolName(e.tool)} is now billed per token`,
        body: `Its requests switched from your ${planOf(e.tool)} to an API key: from now on each request costs money.`,
        page: 'live',
      };
    }
    case 'port-in-use': {
      return {
        key: 'port',
        title: `Port ${e.wanted} is in use`,
        body: `Lava Desktop is listening on ${e.got} instead. Update your tools, or free the port and restart.`,
        page: 'live',
      };
    }
    default:
      return undefined;
  }
}

/** A tool paused by the runaway guard: which limit, and how to resume it. */
function guardTripped(g: Extract<AppEvent, { type: 'guard.tripped' }>): NotificationModel {
  const what =
    g.reason === 'requestsPerMinute'
      ? `${g.value} requests in a minute (limit ${g.limit})`
      : `$${g.value.toFixed(2)} spent in an hour (limit $${g.limit.toFixed(2)})`;
  return {
    key: `guard:${g.tool}:${g.at}`,
    title: `${toolName(g.tool)} paused: ${what}`,
    body: `Its requests are refused until you resume it: "Resume ${toolName(g.tool)}" in the tray menu, the dashboard, or lava-desktop resume --tool ${g.tool}.`,
    page: 'live',
  };
}

const NAMES: Record<string, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex',
  'gemini-cli': 'Gemini CLI',
  aider: 'Aider',
  opencode: 'OpenCode',
  cursor: 'Cursor',
};

/** A tool's name as people know it (its id when it has none). */
export const toolName = (tool: string): string => NAMES[tool] ?? tool;

/** The plan a tool signs in with. */
const planOf = (tool: string): string =>
  tool === 'claude-code'
    ? 'Claude plan'
    : tool === 'codex'
      ? 'ChatGPT plan'
      : tool === 'gemini-cli'
        ? 'Google account'
        : 'plan';

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** At most one notification per key per `perKeyMs`, and at most `burst` in any `windowMs`. */
export class NotificationLimiter {
  private readonly lastByKey = new Map<string, number>();
  private recent: number[] = [];

  constructor(
    private readonly perKeyMs = 15 * 60_000,
    private readonly burst = 3,
    private readonly windowMs = 60_000,
  ) {}

  allow(key: string, now: number): boolean {
    const last = this.lastByKey.get(key);
    if (last !== undefined && now - last < this.perKeyMs) return false;
    this.recent = this.recent.filter((t) => now - t < this.windowMs);
    if (this.recent.length >= this.burst) return false;
    this.recent.push(now);
    this.lastByKey.set(key, now);
    return true;
  }
}
