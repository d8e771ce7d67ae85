/**
 * The gateway's own errors: one type, answered in the shape of the client's API (OpenAI,
 * Anthropic, Gemini, ElevenLabs) by the proxy, or as `{error:{message,code}}` elsewhere.
 */
import type { ServerResponse } from 'node:http';
import type { ApiStyle } from '../providers/types.js';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendError(
  res: ServerResponse,
  err: GatewayError,
  style?: ApiStyle,
  extra?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = style
    ? style.errorBody(err.status, err.code, err.message)
    : { error: { message: err.message, type: 'lava_desktop_error', code: err.code } };
  const text = JSON.stringify(body);
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}
