/**
 * `/api/login`: Lava's browser login run by the gateway itself, for the MCP tool `lava_login` (and
 * any admin client). `POST` starts a login (or returns the one waiting) with the URL to open;
 * `GET` says how it went. When the browser comes back the secret key is saved like a dashboard
 * setting (secrets file or keychain) and used at once, without a restart.
 */
import { Router } from 'express';
import type { GatewayContext } from '../context.js';
import { mask } from '../lib/redact.js';
import { saveSettings } from './settings-routes.js';
import { DEFAULT_APP_URL, startBrowserLogin, type BrowserLogin } from '../lava/login.js';

export interface LoginStatus {
  state: 'idle' | 'waiting' | 'done' | 'failed';
  url?: string;
  /** The saved key, masked. */
  key?: string;
  error?: string;
  at?: string;
}

const TIMEOUT_S = 120;

export function loginRoutes(ctx: GatewayContext, appUrl = process.env.LAVA_APP_URL ?? DEFAULT_APP_URL): Router {
  const r = Router();
  let status: LoginStatus = { state: 'idle' };
  let flow: BrowserLogin | undefined;
  r.get('/api/login', (_req, res) => res.json(status));
  r.post('/api/login', async (req, res) => {
    const restart = (req.body as { restart?: unknown } | undefined)?.restart === true;
    if (status.state === 'waiting' && !restart) return void res.json(status);
    flow?.cancel();
    const current = (flow = await startBrowserLogin({ appUrl, apiUrl: ctx.config.lava.baseUrl, timeoutS: TIMEOUT_S }));
    status = { state: 'waiting', url: current.url, at: new Date().toISOString() };
    res.json(status);
    // Whatever happens when the browser comes back (a refused code, a disk that cannot take the key),
    // it ends in the status, never as an unhandled rejection.
    void current.done
      .then(async (secretKey) => {
        if (flow !== current) return;
        const saved = await saveSettings(ctx, { lava: { secretKey } });
        if (!saved.ok) throw new Error(`the key was not saved: ${saved.errors.map((e) => e.message).join('; ')}`);
        status = { state: 'done', key: mask(secretKey), at: new Date().toISOString() };
      })
      .catch((e: Error) => {
        if (flow === current) status = { state: 'failed', error: e.message, at: new Date().toISOString() };
      });
  });
  return r;
}
