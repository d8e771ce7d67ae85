/** What every translation direction shares: its result shape and the helpers for what it cannot carry over. */
import type { Json } from '../lib/json.js';

export interface Translated {
  body: Json;
  warnings: string[];
}

/** Warnings for request keys a translator does not carry over, so nothing is dropped silently. */
export function unhandled(req: Json, handled: readonly string[], target: string): string[] {
  return Object.keys(req)
    .filter((k) => !handled.includes(k) && req[k] !== undefined && req[k] !== null)
    .map((k) => `${k} is not supported by ${target} and was dropped`);
}

/** Tool-call arguments (a JSON string in OpenAI's shape) as an object; malformed arguments become {}. */
export function parseArguments(args: unknown): unknown {
  try {
    return JSON.parse(typeof args === 'string' && args ? args : '{}');
  } catch {
    return {};
  }
}
