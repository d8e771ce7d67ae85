/**
 * `/api/settings`: the config as the dashboard sees it (every key masked, locked keys with their
 * source, the store's health) and changes as a JSON merge patch, validated whole before anything
 * is written, applied without a restart. A change of where requests (and keys) go is announced.
 */
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import type { GatewayConfig } from '../config.js';
import type { PatchResult } from '../settings.js';
import { redact } from '../lib/redact.js';
import { GatewayError } from '../lib/errors.js';

export function settingsRoutes(ctx: GatewayContext): Router {
  const r = Router();
  r.get('/api/settings', (_req, res) => res.json(settingsView(ctx)));
  r.patch('/api/settings', async (req, res) => {
    const result = await saveSettings(ctx, req.body);
    if (!result.ok) throw new GatewayError(result.status, 'invalid_settings', 'invalid settings', result.errors);
    res.json({ ...settingsView(ctx), restartNeeded: result.restartNeeded });
  });
  return r;
}

/**
 * A settings change from any admin route: validated and written (settings.ts), applied at once,
 * and announced (where requests go, then `settings.changed`). Nothing is applied when it fails.
 */
export async function saveSettings(ctx: GatewayContext, patch: unknown): Promise<PatchResult> {
  const result = await ctx.settings.patch(patch, ctx.config);
  if (!result.ok) return result;
  const before = ctx.config;
  await ctx.applyConfig(result.config);
  for (const change of upstreamChanges(before, result.config)) ctx.events.emitEvent(change);
  ctx.events.emitEvent({ type: 'settings.changed' });
  return result;
}

export function settingsView(ctx: GatewayContext) {
  return {
    store: ctx.store.health(),
    settings: redact(ctx.config),
    locked: ctx.settings.locked(),
    dataDir: ctx.dataDir,
    paused: ctx.paused,
    version: ctx.version,
    providers: [...ctx.table.providers.values()].map((p) => ({
      key: p.key,
      style: p.style.id,
      base: p.base.href,
      origin: p.customOrigin ? p.origin.href : undefined,
      mode: p.mode,
      hasKey: Boolean(p.apiKey),
      builtIn: p.builtIn,
    })),
  };
}

/** Where requests (and keys) go changed: an event each, shown by the dashboard (a key could be sent elsewhere). */
function upstreamChanges(a: GatewayConfig, b: GatewayConfig) {
  const out: { type: 'settings.upstream_changed'; key: string; from: string | null; to: string | null }[] = [];
  const add = (key: string, from: string | undefined, to: string | undefined) => {
    if (from !== to) out.push({ type: 'settings.upstream_changed', key, from: safeUrl(from), to: safeUrl(to) });
  };
  add('lava.baseUrl', a.lava.baseUrl, b.lava.baseUrl);
  for (const key of new Set([...Object.keys(a.providers), ...Object.keys(b.providers)]))
    add(`providers.${key}.origin`, a.providers[key]?.origin, b.providers[key]?.origin);
  return out;
}

/** A URL for display: user and password removed. */
const safeUrl = (u: string | undefined): string | null => {
  if (u === undefined) return null;
  if (!URL.canParse(u)) return u;
  const url = new URL(u);
  url.username = '';
  url.password = '';
  return url.href;
};
