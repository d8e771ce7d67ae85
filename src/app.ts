/**
 * The express app of the gateway's own routes: the Lava-shaped reads (`/v1/requests`, `/v1/usage`,
 * `/v1/models`), MCP over HTTP, the admin API, the dashboard's static files (strict CSP), and the
 * one error handler that answers every failure in the gateway's shape. Loaded lazily by server.ts.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GatewayContext } from './context.js';
import { asGatewayError, GatewayError, sendError } from './lib/errors.js';
import { adminApi } from './admin/api.js';
import { lavaRoutes } from './admin/lava-routes.js';
import { mcpRoute } from './mcp/http.js';
import { packagePath } from './version.js';

// Built by `npm run build` (vite) into dist/renderer.
const RENDERER_DIR = packagePath('dist', 'renderer');

/** The dashboard may talk to its own origin only: no inline script, nothing fetched from elsewhere. */
export const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function buildApp(ctx: GatewayContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Browsers ask for /favicon.ico whatever the page says: the app's icon, not a 404 in the console.
  app.get('/favicon.ico', (_req, res) => {
    res.type('png').sendFile('favicon.png', { root: RENDERER_DIR, maxAge: '1d' });
  });
  app.use(lavaRoutes(ctx));
  app.use(mcpRoute(ctx));
  app.use(adminApi(ctx));
  app.use(
    express.static(RENDERER_DIR, {
      index: 'index.html',
      setHeaders: (res) => {
        res.setHeader('content-security-policy', CSP);
      },
    }),
  );
  app.use((req) => {
    throw new GatewayError(404, 'not_found', `no route for ${req.method} ${req.path}`);
  });
  // The one error handler of the gateway's own routes: one shape, nothing of a 500's inside shown.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = asGatewayError(err);
    if (e.status === 500) ctx.log(`admin: 500 ${(err as Error).message ?? String(err)}`);
    sendError(res, e);
  });
  return app;
}
