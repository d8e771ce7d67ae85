/**
 * The gateway's own errors: one type and one way to answer them. On proxy routes the body takes
 * the shape of the client's API (the style's `errorBody`: OpenAI, Anthropic, Gemini,
 * ElevenLabs); everywhere else (`/api`, `/v1/requests`, `/mcp` before the protocol, the guards)
 * one JSON shape: `{"error":{"message","type":"lava_desktop_error","code"}}`, with `errors`
 * (`[{path, message}]`) when there is a list of problems. Upstream errors are not ours: they pass
 * through untouched.
 */
import type { ServerResponse } from 'node:http';

export interface FieldError {
  path: string;
  message: string;
}

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Problems by field (settings), shown next to their fields. */
    readonly errors?: FieldError[],
  ) {
    super(message);
  }
}

/** How an API phrases an error (the provider styles implement it). */
export interface ErrorShape {
  errorBody(status: number, code: string, message: string): unknown;
}

/** The one shape of the gateway's own (non-proxy) routes. */
export const GATEWAY_SHAPE: ErrorShape = {
  errorBody: (_status, code, message) => ({ error: { message, type: 'lava_desktop_error', code } }),
};

export function errorBody(err: GatewayError, shape: ErrorShape = GATEWAY_SHAPE): unknown {
  const body = shape.errorBody(err.status, err.code, err.message);
  return err.errors ? { ...(body as object), errors: err.errors } : body;
}

export function sendError(
  res: ServerResponse,
  err: GatewayError,
  shape: ErrorShape = GATEWAY_SHAPE,
  extra?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(errorBody(err, shape));
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/**
 * Any error thrown while answering a gateway route, as a GatewayError: ours as they are, a body
 * parser's (bad JSON, too large) as the 4xx it is, anything else a 500 that says nothing inside.
 */
export function asGatewayError(e: unknown): GatewayError {
  if (e instanceof GatewayError) return e;
  const err = e as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    const code = err.type === 'entity.too.large' ? 'request_too_large' : 'invalid_request';
    return new GatewayError(err.status, code, String(err.message ?? 'bad request'));
  }
  return new GatewayError(500, 'internal', 'internal error');
}
