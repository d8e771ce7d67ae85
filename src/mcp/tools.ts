/**
 * The MCP tools (PRODUCT.md §9), served over stdio (`lava-desktop mcp`) and streamable HTTP
 * (`/mcp`). Every tool talks to a gateway over HTTP — its proxy routes for model calls (so they
 * are metered like any other, as client `mcp`) and its admin API for usage — so the same code
 * serves both transports. Errors come back as tool errors a model can act on.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { VERSION } from '../version.js';

export interface GatewayLink {
  url: string;
  adminToken: string;
  /** `security.localKey`, when the gateway requires it on its proxy routes. */
  localKey?: string;
}

const UA = 'lava-desktop-mcp';
type Result = {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

const ok = (text: string, data: unknown): Result => ({
  content: [{ type: 'text', text }],
  structuredContent: (data !== null && typeof data === 'object' && !Array.isArray(data)
    ? data
    : { result: data }) as Record<string, unknown>,
});
const fail = (text: string): Result => ({ content: [{ type: 'text', text }], isError: true });

async function call(
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

function errorText(r: { status: number; body: unknown; text: string }): string {
  const b = r.body as { error?: { message?: string } | string } | undefined;
  const message = typeof b?.error === 'string' ? b.error : (b?.error?.message ?? r.text.slice(0, 500));
  return `HTTP ${r.status}: ${message}`;
}

const message = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
    content: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
  })
  .passthrough();

export function createMcpServer(link: GatewayLink): McpServer {
  const server = new McpServer({ name: 'lava-desktop', version: VERSION });

  server.registerTool(
    'lava_login',
    {
      description:
        'Signs this gateway in to Lava in the browser (like `lava-desktop login`): returns the URL for the user to open. When the browser comes back, Lava Desktop saves the secret key and uses it at once. Call again to see whether the login finished; restart: true begins a new login.',
      inputSchema: { restart: z.boolean().default(false) },
    },
    async (args) => {
      const now = await call(link, '/api/login', { admin: true });
      if (now.status !== 200) return fail(errorText(now));
      let s = now.body as { state: string; url?: string; key?: string; error?: string };
      if (args.restart || s.state === 'idle' || s.state === 'failed') {
        const started = await call(link, '/api/login', {
          method: 'POST',
          admin: true,
          body: JSON.stringify({ restart: args.restart }),
        });
        if (started.status !== 200) return fail(errorText(started));
        const previous = s.state === 'failed' && !args.restart ? `The last login failed: ${s.error}. ` : '';
        s = started.body as typeof s;
        return ok(
          `${previous}Open this URL in a browser to sign in to Lava: ${s.url}\nLava Desktop finishes the login by itself when the browser comes back (within 120 s); call lava_login again to check.`,
          s,
        );
      }
      if (s.state === 'waiting')
        return ok(`Still waiting for the browser. Open this URL to sign in to Lava: ${s.url}`, s);
      return ok(`Signed in to Lava: secret key ${s.key} is saved and in use.`, s);
    },
  );

  server.registerTool(
    'lava_generate_forward_token',
    {
      description:
        "Builds a Lava forward token (for /v1/forward and /v1/rewrite) from the gateway's Lava secret key: merchant-billed (no ids), meter-only (meter_slug), customer-billed (customer_id + meter_slug), billing disabled, or BYOK (provider_key).",
      inputSchema: {
        customer_id: z.string().min(1).optional(),
        meter_slug: z.string().min(1).optional(),
        provider_key: z.string().min(1).optional(),
        disable_billing: z.boolean().optional(),
      },
    },
    async (args) => {
      if (args.customer_id && !args.meter_slug)
        return fail('customer_id needs meter_slug: give both for customer billing, or neither for merchant billing.');
      const r = await call(link, '/api/forward-token', { method: 'POST', admin: true, body: JSON.stringify(args) });
      if (r.status !== 200) return fail(errorText(r));
      return ok((r.body as { token: string }).token, r.body);
    },
  );

  server.registerTool(
    'lava_chat_completions',
    {
      description:
        'Calls any routable model with an OpenAI chat completions request (model as provider/model, e.g. anthropic/claude-sonnet-4-5, or a known name like gpt-4o-mini). Returns the assistant text; the full response is in structured content.',
      inputSchema: {
        model: z.string().min(1),
        messages: z.array(message).min(1),
        max_tokens: z.number().int().positive().optional(),
        temperature: z.number().min(0).max(2).optional(),
      },
    },
    async (args) => {
      const r = await call(link, '/v1/chat/completions', { method: 'POST', body: JSON.stringify(args) });
      if (r.status !== 200) return fail(errorText(r));
      const text = (r.body as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message?.content ?? '';
      return ok(text, r.body);
    },
  );

  server.registerTool(
    'lava_messages',
    {
      description:
        'Calls any routable model with an Anthropic Messages request (max_tokens required, as in the Anthropic API). Returns the text; the full response is in structured content.',
      inputSchema: {
        model: z.string().min(1),
        max_tokens: z.number().int().positive(),
        messages: z.array(message).min(1),
        system: z.string().optional(),
      },
    },
    async (args) => {
      const r = await call(link, '/v1/messages', { method: 'POST', body: JSON.stringify(args) });
      if (r.status !== 200) return fail(errorText(r));
      const blocks = (r.body as { content?: { type: string; text?: string }[] }).content ?? [];
      return ok(
        blocks
          .filter((b) => b.type === 'text')
          .map((b) => b.text)
          .join(''),
        r.body,
      );
    },
  );

  server.registerTool(
    'lava_forward',
    {
      description:
        "Sends a request to a provider URL through the gateway (Lava's forward endpoint semantics): the gateway adds the configured key for known providers. Give the full upstream URL, e.g. https://api.openai.com/v1/models.",
      inputSchema: {
        url: z.string().url(),
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
        headers: z.record(z.string(), z.string()).optional(),
        body: z.unknown().optional(),
      },
    },
    async (args) => {
      const init: RequestInit = { method: args.method, headers: args.headers };
      if (args.body !== undefined && args.method !== 'GET')
        init.body = typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
      const r = await call(link, `/v1/forward?u=${encodeURIComponent(args.url)}`, init);
      if (r.status >= 400) return fail(errorText(r));
      return ok(typeof r.body === 'string' ? r.body : JSON.stringify(r.body), { status: r.status, body: r.body });
    },
  );

  server.registerTool(
    'lava_rewrite',
    {
      description:
        "Calls a provider URL in another API's shape (Lava's rewrite endpoint): format is the shape of `body` and of the answer (openai or anthropic); url is the provider endpoint, e.g. https://api.anthropic.com/v1/messages.",
      inputSchema: {
        format: z.enum(['openai', 'anthropic']),
        url: z.string().url(),
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (args) => {
      const r = await call(link, `/v1/rewrite/${args.format}/${args.url}`, {
        method: 'POST',
        body: JSON.stringify(args.body),
      });
      if (r.status !== 200) return fail(errorText(r));
      return ok(JSON.stringify(r.body), r.body as Record<string, unknown>);
    },
  );

  server.registerTool(
    'lava_usage',
    {
      description: 'Spend recorded by this gateway: today, 7 and 30 days, this month, top models, budget left.',
      inputSchema: {
        days: z.number().int().min(1).max(366).default(30),
        by: z.enum(['model', 'provider']).default('model'),
      },
    },
    async (args) => {
      const r = await call(link, `/api/spend?days=${args.days}&by=${args.by}`, { admin: true });
      if (r.status !== 200) return fail(errorText(r));
      const s = r.body as {
        today: { cost: string; requests: number };
        month: { cost: string };
        last30Days: { cost: string };
        topModels: { model: string; cost: string }[];
        budgets: { daily: { limit: number; spent: string } | null; monthly: { limit: number; spent: string } | null };
      };
      const left = (b: { limit: number; spent: string } | null) =>
        b ? `$${(b.limit - Number(b.spent)).toFixed(4)} left of $${b.limit}` : 'none';
      const text = [
        `today $${Number(s.today.cost).toFixed(4)} (${s.today.requests} requests), this month $${Number(s.month.cost).toFixed(4)}, 30 days $${Number(s.last30Days.cost).toFixed(4)}`,
        `top: ${
          s.topModels
            .slice(0, 5)
            .map((m) => `${m.model} $${Number(m.cost).toFixed(4)}`)
            .join(', ') || 'none'
        }`,
        `budgets: daily ${left(s.budgets.daily)}, monthly ${left(s.budgets.monthly)}`,
      ].join('\n');
      return ok(text, r.body as Record<string, unknown>);
    },
  );

  server.registerTool(
    'lava_requests',
    {
      description: 'Recent requests recorded by this gateway, newest first, with optional filters.',
      inputSchema: {
        limit: z.number().int().min(1).max(100).default(20),
        provider: z.string().optional(),
        model: z.string().optional(),
        status: z.enum(['ok', 'error']).optional(),
      },
    },
    async (args) => {
      const q = new URLSearchParams({ limit: String(args.limit) });
      for (const k of ['provider', 'model', 'status'] as const) if (args[k]) q.set(k, args[k]!);
      const r = await call(link, `/api/requests?${q}`, { admin: true });
      if (r.status !== 200) return fail(errorText(r));
      const rows = (
        r.body as {
          data: {
            startedAt: string;
            provider: string;
            model?: string;
            status: number;
            cost?: string;
            usage?: { total_tokens: number };
          }[];
        }
      ).data;
      const text =
        rows
          .map(
            (x) =>
              `${x.startedAt} ${x.provider}/${x.model ?? '?'} ${x.status} ${x.usage?.total_tokens ?? 0} tok ${x.cost ? `$${Number(x.cost).toFixed(5)}` : 'unpriced'}`,
          )
          .join('\n') || 'no requests';
      return ok(text, r.body as Record<string, unknown>);
    },
  );

  return server;
}
