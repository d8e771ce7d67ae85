/** The desktop shell's logic, as pure functions: tray text and icon, throttling, menu, notifications, window and IPC policy, the quit prompt. */
import { describe, expect, it } from 'vitest';
import {
  budgetLines,
  iconState,
  TrayThrottle,
  trayTitle,
  trayTooltip,
  type TrayInput,
} from '../../electron/logic/tray-text.js';
import { menuModel } from '../../electron/logic/menu-model.js';
import { NotificationLimiter, notificationFor } from '../../electron/logic/notifications.js';
import { navigationDecision, senderAllowed } from '../../electron/logic/policy.js';
import { quitChoice, quitPrompt } from '../../electron/logic/quit-prompt.js';

const base: TrayInput = {
  todayCost: '1.2345',
  todayRequests: 12,
  monthCost: '20.5',
  port: 5282,
  paused: false,
  budgetExceeded: false,
};

describe('tray', () => {
  it('shows today in the title and a fuller tooltip; small amounts keep their digits', () => {
    expect(trayTitle(base)).toBe('$1.23');
    expect(trayTitle({ ...base, todayCost: '0.0042' })).toBe('$0.0042');
    expect(trayTooltip(base)).toBe('Lava Desktop (on :5282) — today $1.23 · 12 requests · this month $20.50');
    expect(trayTooltip({ ...base, paused: true })).toContain('(paused)');
  });

  it('picks the icon state by priority: paused, budget, sync error, running', () => {
    expect(iconState(base)).toBe('running');
    expect(iconState({ ...base, syncState: 'retrying' })).toBe('sync-error');
    expect(iconState({ ...base, syncState: 'invalid_key', budgetExceeded: true })).toBe('budget-exceeded');
    expect(iconState({ ...base, budgetExceeded: true, paused: true })).toBe('paused');
  });

  it('updates at most once a second and never when unchanged', () => {
    const t = new TrayThrottle(1000);
    expect(t.offer('a', 0)).toBe(true);
    expect(t.offer('a', 5000)).toBe(false);
    expect(t.offer('b', 5100)).toBe(true);
    expect(t.offer('c', 5500)).toBe(false);
    expect(t.offer('c', 6100)).toBe(true);
  });
});

describe('menu', () => {
  it('lists today, month, last request, wallet, gateway state and actions', () => {
    const m = menuModel({
      ...base,
      lastRequest: { model: 'gpt-4o-mini', cost: '0.00012' },
      wallet: { today: '1', month: '9' },
    });
    const labels = m.map((i) => i.label ?? '—');
    expect(labels).toEqual([
      'Today: $1.23 · 12 requests',
      'This month: $20.50',
      'Last: gpt-4o-mini $0.0001',
      'Lava: today $1.00 · month $9.00',
      '—',
      'Gateway running on :5282',
      'Pause gateway',
      '—',
      'Open dashboard',
      'Copy base URL',
      'Connect a tool',
      '—',
      'Quit Lava Desktop',
    ]);
    expect(m.find((i) => i.label === 'Connect a tool')!.submenu!.map((s) => s.action)).toContain(
      'copy-env:claude-code',
    );
    expect(menuModel({ ...base, paused: true }).some((i) => i.label === 'Resume gateway')).toBe(true);
  });
});

describe('notifications', () => {
  it('budget thresholds, Lava 402, a sync failing for 10 minutes, a port in use', () => {
    expect(
      notificationFor({ type: 'budget.alert', period: 'daily', threshold: 80, spent: '8', limit: 10 }, 0),
    ).toMatchObject({ title: '80% of your daily budget used', page: 'spend' });
    expect(
      notificationFor({ type: 'budget.alert', period: 'monthly', threshold: 100, spent: '50', limit: 50 }, 0)?.title,
    ).toBe('Monthly budget reached');
    expect(
      notificationFor({ type: 'request.completed', request: { error: 'lava: insufficient wallet balance' } }, 0)?.key,
    ).toBe('lava:402');
    expect(notificationFor({ type: 'request.completed', request: {} }, 0)).toBeUndefined();
    const failing = { type: 'sync.status', status: { state: 'retrying', lastError: 'offline', pending: 3 } } as const;
    expect(notificationFor(failing, 9 * 60_000, 0)).toBeUndefined();
    expect(notificationFor(failing, 10 * 60_000, 0)?.key).toBe('sync:failing');
    expect(notificationFor({ type: 'port-in-use', wanted: 5282, got: 40001 }, 0)?.body).toContain('40001');
  });

  it('rate-limits per key and in bursts', () => {
    const l = new NotificationLimiter(60_000, 2, 10_000);
    expect(l.allow('a', 0)).toBe(true);
    expect(l.allow('a', 1000)).toBe(false);
    expect(l.allow('b', 1000)).toBe(true);
    expect(l.allow('c', 2000)).toBe(false); // burst of 2 in 10 s
    expect(l.allow('c', 12_000)).toBe(true);
    expect(l.allow('a', 61_000)).toBe(true);
  });
});

describe('window and IPC policy', () => {
  const origin = 'http://127.0.0.1:5282';
  it('keeps navigation on the gateway; http(s) elsewhere opens in the browser; other schemes are denied', () => {
    expect(navigationDecision(`${origin}/#/spend`, origin)).toBe('allow');
    expect(navigationDecision('https://www.lava.so/dashboard/wallet', origin)).toBe('open-externally');
    expect(navigationDecision('http://127.0.0.1:5283/', origin)).toBe('open-externally');
    expect(navigationDecision('file:///etc/passwd', origin)).toBe('deny');
    expect(navigationDecision('javascript:alert(1)', origin)).toBe('deny');
  });

  it('answers IPC only from frames of the gateway origin', () => {
    expect(senderAllowed(`${origin}/`, origin)).toBe(true);
    expect(senderAllowed('https://evil.example/', origin)).toBe(false);
    expect(senderAllowed(undefined, origin)).toBe(false);
    expect(senderAllowed('http://localhost:5282/', origin)).toBe(false);
  });
});

describe('quitting with tools still connected', () => {
  it('says nothing when no tool is connected', () => {
    expect(quitPrompt([])).toBeUndefined();
  });

  it('names the tools, offers to disconnect them (the default), to keep them, or not to quit', () => {
    const one = quitPrompt([{ name: 'Claude Code' }])!;
    expect(one.message).toBe('Claude Code is still connected to Lava Desktop');
    expect(one.detail).toContain('lava-desktop service install');
    const three = quitPrompt([{ name: 'Claude Code' }, { name: 'Codex' }, { name: 'aider' }])!;
    expect(three.message).toBe('Claude Code, Codex and aider are still connected to Lava Desktop');
    expect(three.buttons).toEqual(['Disconnect and quit', 'Keep connected and quit', 'Cancel']);
    expect(quitChoice(three.defaultId)).toBe('disconnect');
    expect(quitChoice(1)).toBe('keep');
    expect(quitChoice(three.cancelId)).toBe('cancel');
    expect(quitChoice(-1)).toBe('cancel');
  });
});

describe('budgets in the tray', () => {
  const cap = (
    scope: 'global' | 'tool' | 'project',
    key: string | null,
    period: 'daily' | 'monthly',
    limit: number,
    left: string,
  ) => ({ scope, key, period, limit, left, spent: String(limit - Number(left)) });

  it('one short line per window: what is left of each cap, everything first, then the tightest', () => {
    const t: TrayInput = {
      ...base,
      budgets: [
        cap('tool', 'claude-code', 'daily', 20, '18'),
        cap('global', null, 'daily', 10, '3.1'),
        cap('tool', 'codex', 'daily', 5, '1.2'),
        cap('project', '/home/u/work/shop/', 'monthly', 2.5, '0'),
      ],
    };
    expect(budgetLines(t)).toEqual([
      'Left today: $3.10 of $10 · codex $1.20 of $5 · claude-code $18.00 of $20',
      'Left this month: shop $0.00 of $2.50',
    ]);
    const labels = menuModel(t).map((i) => i.label);
    // After today, the month and the last request; before the gateway's state.
    expect(labels.slice(0, 5)).toEqual([
      'Today: $1.23 · 12 requests',
      'This month: $20.50',
      'No requests yet',
      ...budgetLines(t),
    ]);
    expect(menuModel(t).find((i) => i.label === budgetLines(t)[1])?.enabled).toBe(false);
  });

  it('past three caps the rest are counted; no caps, no lines', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((k, i) => cap('tool', k, 'daily', 10, String(i + 1)));
    expect(budgetLines({ ...base, budgets: many })).toEqual([
      'Left today: a $1.00 of $10 · b $2.00 of $10 · c $3.00 of $10 · +2 more',
    ]);
    expect(budgetLines(base)).toEqual([]);
    expect(menuModel(base).some((i) => i.label?.startsWith('Left '))).toBe(false);
  });
});

describe('the runaway guard and billing changes', () => {
  const trip = {
    type: 'guard.tripped' as const,
    tool: 'codex',
    reason: 'requestsPerMinute' as 'requestsPerMinute' | 'dollarsPerHour',
    value: 130,
    limit: 120,
    at: '2025-06-01T10:00:00.000Z',
  };

  it('a paused tool is notified with which limit, its value and how to resume; a click opens Live', () => {
    const n = notificationFor(trip, 0)!;
    expect(n.title).toBe('Codex paused: 130 requests in a minute (limit 120)');
    expect(n.body).toContain('"Resume Codex" in the tray menu');
    expect(n.body).toContain('lava-desktop resume --tool codex');
    expect(n.page).toBe('live');
    const dollars = notificationFor(
      { ...trip, tool: 'claude-code', reason: 'dollarsPerHour', value: 21.4, limit: 20 },
      0,
    );
    expect(dollars?.title).toBe('Claude Code paused: $21.40 spent in an hour (limit $20.00)');
    // Each trip is its own notification (a later trip is not swallowed by the per-key limit).
    expect(notificationFor({ ...trip, at: '2025-06-01T11:00:00.000Z' }, 0)!.key).not.toBe(n.key);
    expect(notificationFor({ type: 'guard.resumed', tool: 'codex' }, 0)).toBeUndefined();
  });

  it('a switch from the plan to an API key says plainly that requests now cost money', () => {
    const n = notificationFor(
      { type: 'billing.changed', tool: 'claude-code', from: 'subscription', to: 'api', requestId: 'r1', at: 'x' },
      0,
    )!;
    expect(n.title).toBe('Claude Code is now billed per token');
    expect(n.body).toBe(
      'Its requests switched from your Claude plan to an API key: from now on each request costs money.',
    );
    const other = notificationFor(
      { type: 'billing.changed', tool: 'my-bot', from: 'subscription', to: 'api', requestId: 'r2', at: 'y' },
      0,
    );
    expect(other?.title).toBe('my-bot is now billed per token');
  });

  it('the tray menu has a Resume item per paused tool, after the gateway’s own pause', () => {
    const t: TrayInput = {
      ...base,
      tripped: [
        { tool: 'codex', reason: 'requestsPerMinute' },
        { tool: 'claude-code', reason: 'dollarsPerHour' },
      ],
    };
    const items = menuModel(t);
    const resumes = items.filter((i) => i.action?.startsWith('resume-tool:'));
    expect(resumes).toEqual([
      { label: 'Resume Codex (paused: requests ran away)', action: 'resume-tool:codex' },
      { label: 'Resume Claude Code (paused: spend ran away)', action: 'resume-tool:claude-code' },
    ]);
    expect(items.indexOf(resumes[0]!)).toBe(items.findIndex((i) => i.action === 'toggle-pause') + 1);
    expect(menuModel(base).some((i) => i.action?.startsWith('resume-tool:'))).toBe(false);
  });
});
