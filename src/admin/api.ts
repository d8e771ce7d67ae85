/**
 * The admin API for the dashboard, CLI and shell (`/api/*`): admin token as Bearer, or the
 * dashboard's session cookie (HttpOnly, SameSite=Strict, set from the start line's `#token=`).
 * Settings, reads of what was recorded, actions, the live event stream and the Lava login; every
 * error answered by the app's one handler in the one gateway shape (lib/errors.ts).
 */
import { Router } from 'express';
import express from 'express';
import type { GatewayContext } from '../context.js';
import { requireAuth, SESSION_COOKIE, safeEqual } from './auth.js';
import { GatewayError } from '../lib/errors.js';
import { settingsRoutes } from './settings-routes.js';
import { readRoutes } from './reads.js';
import { controlRoutes } from './control.js';
import { eventRoutes } from './events.js';
import { loginRoutes } from './login.js';
import { connectRoutes } from './connect.js';

export function adminApi(ctx: GatewayContext): Router {
  const r = Router();
  r.use('/api', express.json({ limit: '1mb' }));
  // Dashboard login: exchanges the admin token (from the start line's #token=) for an HttpOnly cookie.
  r.post('/api/session', (req, res) => {
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !safeEqual(token, ctx.adminToken))
      throw new GatewayError(401, 'unauthorized', 'wrong or missing token');
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${ctx.sessionToken}; HttpOnly; SameSite=Strict; Path=/`);
    res.json({ ok: true });
  });
  r.use(
    '/api',
    requireAuth(
      () => [ctx.adminToken],
      '/api',
      () => ctx.sessionToken,
    ),
  );
  for (const routes of [settingsRoutes, readRoutes, controlRoutes, connectRoutes, eventRoutes]) r.use(routes(ctx));
  r.use(loginRoutes(ctx, ctx.lavaAppUrl));
  return r;
}
