/** Query and body checks for the admin routes: a zod schema, and a 400 that names the field. */
import type { z } from 'zod';
import { GatewayError } from '../lib/errors.js';

export function parse<T extends z.ZodType>(schema: T, value: unknown, what = 'query'): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new GatewayError(400, 'invalid_request', `${issue.path.join('.') || what}: ${issue.message}`);
}

export const badRequest = (message: string): GatewayError => new GatewayError(400, 'invalid_request', message);
export const notFound = (message: string): GatewayError => new GatewayError(404, 'not_found', message);
export const conflict = (code: string, message: string): GatewayError => new GatewayError(409, code, message);

/** A store cursor that does not decode is the client's mistake. */
export async function withCursor<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof RangeError) throw badRequest('invalid cursor');
    throw e;
  }
}
