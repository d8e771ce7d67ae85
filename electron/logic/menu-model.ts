/**
 * The tray menu as plain data (labels, enabled state, action ids); the Electron adapter turns it
 * into a Menu. Kept pure so its content is unit-tested.
 */
import { toolName } from './notifications.js';
import { budgetLines, storeDegraded, usd, type TrayInput } from './tray-text.js';

export type MenuAction =
  | 'toggle-pause'
  | 'open-dashboard'
  | 'copy-base-url'
  | 'quit'
  | `copy-env:${string}`
  | 'open-sync'
  | `resume-tool:${string}`;

export interface MenuItemModel {
  label?: string;
  enabled?: boolean;
  action?: MenuAction;
  type?: 'separator' | 'normal' | 'submenu';
  submenu?: MenuItemModel[];
}

/** Tools a local gateway can serve (not Cursor: its requests come from Cursor's servers). */
export const TOOLS = ['claude-code', 'codex', 'aider', 'openai-sdk', 'anthropic-sdk'] as const;

export function menuModel(t: TrayInput & { wallet?: { today: string; month: string } }): MenuItemModel[] {
  const last = t.lastRequest
    ? `Last: ${t.lastRequest.model ?? 'request'} ${t.lastRequest.cost ? usd(t.lastRequest.cost, 4) : 'unpriced'}`
    : 'No requests yet';
  const items: MenuItemModel[] = [];
  if (storeDegraded(t))
    items.push(
      { label: `Records not saved: ${t.store!.error} (${t.store!.unwritten} waiting)`, action: 'open-dashboard' },
      { type: 'separator' },
    );
  items.push(
    { label: `Today: ${usd(t.todayCost)} · ${t.todayRequests} requests`, enabled: false },
    { label: `This month: ${usd(t.monthCost)}`, enabled: false },
    { label: last, enabled: false },
  );
  if (t.wallet)
    items.push({ label: `Lava: today ${usd(t.wallet.today)} · month ${usd(t.wallet.month)}`, action: 'open-sync' });
  for (const line of budgetLines(t)) items.push({ label: line, enabled: false });
  if (t.budgetExceeded) items.push({ label: 'Budget reached — requests are refused', enabled: false });
  items.push(
    { type: 'separator' },
    { label: t.paused ? 'Gateway paused' : `Gateway running on :${t.port}`, enabled: false },
    { label: t.paused ? 'Resume gateway' : 'Pause gateway', action: 'toggle-pause' },
    // A tool the runaway guard paused (PRODUCT.md §14): one click lets it send again.
    ...(t.tripped ?? []).map(({ tool, reason }) => ({
      label: `Resume ${toolName(tool)} (paused: ${reason === 'requestsPerMinute' ? 'requests' : 'spend'} ran away)`,
      action: `resume-tool:${tool}` as MenuAction,
    })),
    { type: 'separator' },
    { label: 'Open dashboard', action: 'open-dashboard' },
    { label: 'Copy base URL', action: 'copy-base-url' },
    {
      label: 'Connect a tool',
      type: 'submenu',
      submenu: TOOLS.map((tool) => ({ label: `Copy settings for ${tool}`, action: `copy-env:${tool}` as MenuAction })),
    },
    { type: 'separator' },
    { label: 'Quit Lava Desktop', action: 'quit' },
  );
  return items;
}
