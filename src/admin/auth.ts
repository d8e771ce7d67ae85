/**
 * Authentication for the admin API and the local Lava-shaped API: a Bearer token, or (for the
 * dashboard) the session cookie set from the `#token=` login. The cookie is HttpOnly and
 * SameSite=Strict, and every /api request is also Origin-checked, so another site can neither
 * read nor ride it. Comparison is constant-time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, NextFunction } from 'express';
import { GatewayError } from '../lib/errors.js';

export const SESSION_COOKIE = 'lava_desktop_session';

export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false; // lengths are not secret; spares two buffers per request
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}

export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Express middleware: a Bearer in `tokens()`, or a session cookie equal to `session()`. */
export function requireAuth(tokens: () => (string | undefined)[], what: string, session?: () => string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const got = bearerOf(req);
    if (got && tokens().some((t) => t !== undefined && safeEqual(got, t))) return next();
    const cookie = session ? cookieOf(req, SESSION_COOKIE) : undefined;
    if (cookie && safeEqual(cookie, session!())) return next();
    next(
      new GatewayError(
        401,
        'unauthorized',
        `${what} needs the admin token as "Authorization: Bearer <token>" (see gateway.json in the data dir)`,
      ),
    );
  };
}
