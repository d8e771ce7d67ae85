/**
 * How an MCP tool reaches its gateway: over HTTP, its proxy routes for model calls (metered like
 * any other, as client `mcp`, with the local key when one is set) and its admin API (admin token)
 * for the rest; and the tool results, text plus structured content, errors as tool errors.
 */
import type { z } from 'zod';
import type { Caller } from './caller.js';

export interface GatewayLink {
  url: string;
  adminToken: string;
  /** `security.localKey`, when the gateway requires it on its proxy routes. */
  localKey?: string;
}

export const UA = 'lava-desktop-mcp';
export type Result = {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

export const ok = (text: string, data: unknown): Result => ({
  content: [{ type: 'text', text }],
  structuredContent: (data !== null && typeof data === 'object' && !Array.isArray(data)
    ? data
    : { result: data }) as Record<string, unknown>,
});
export const fail = (text: string): Result => ({ content: [{ type: 'text', text }], isError: true });

export async function call(
  link: GatewayLink,
  path: string,
  init: RequestInit & { admin?: boolean } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const headers: Record<string, string> = {
    'user-agent': UA,
    'content-type': 'application/json',
    ...((init.headers as Record<string, string>) ?? {}),
  };
  if (init.admin) headers.authorization = `Bearer ${link.adminToken}`;
  else if (link.localKey) headers['x-lava-desktop-key'] = link.localKey;
  const res = await fetch(`${link.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (audio, text): keep the text
  }
  return { status: res.status, body, text };
}

export function errorText(r: { status: number; body: unknown; text: string }): string {
  const b = r.body as { error?: { message?: string } | string } | undefined;
  const message = typeof b?.error === 'string' ? b.error : (b?.error?.message ?? r.text.slice(0, 500));
  return `HTTP ${r.status}: ${message}`;
}

/** A tool: its name, description, input schema, and what it does with a link to the gateway. */
export interface ToolDef {
  name: string;
  config: { description: string; inputSchema: z.ZodRawShape };
  /** `caller`: what the transport knows of who calls (for tools that answer about the caller). */
  run(link: GatewayLink, args: unknown, caller: Caller): Promise<Result>;
}

export function tool<S extends z.ZodRawShape>(
  name: string,
  config: { description: string; inputSchema: S },
  run: (link: GatewayLink, args: z.infer<z.ZodObject<S>>, caller: Caller) => Promise<Result>,
): ToolDef {
  return { name, config, run: run as ToolDef['run'] };
}
