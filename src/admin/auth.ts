/**
 * Bearer checks for the admin API and the local Lava-shaped API. Comparison is constant-time so
 * a local page cannot learn the token byte by byte from timings.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, NextFunction } from 'express';

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}

/** Express middleware: the request must carry one of `tokens()` as Bearer. */
export function requireBearer(tokens: () => (string | undefined)[], what: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const got = bearerOf(req);
    if (got && tokens().some((t) => t !== undefined && safeEqual(got, t))) return next();
    res.status(401).json({
      error: {
        message: `${what} needs the admin token as "Authorization: Bearer <token>" (see gateway.json in the data dir)`,
        code: 'unauthorized',
      },
    });
  };
}
