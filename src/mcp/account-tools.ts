/** The MCP tools about the account and what was spent: Lava login, forward tokens, usage, requests. */
import { z } from 'zod';
import { call, errorText, fail, ok, tool, type ToolDef } from './link.js';

export const ACCOUNT_TOOLS: ToolDef[] = [
  tool(
    'lava_login',
    {
      description:
        'Signs this gateway in to Lava in the browser (like `lava-desktop login`): returns the URL for the user to open. When the browser comes back, Lava Desktop saves the secret key and uses it at once. Call again to see whether the login finished; restart: true begins a new login.',
      inputSchema: { restart: z.boolean().default(false) },
    },
    async (link, args) => {
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
  ),
  tool(
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
    async (link, args) => {
      if (args.customer_id && !args.meter_slug)
        return fail('customer_id needs meter_slug: give both for customer billing, or neither for merchant billing.');
      const r = await call(link, '/api/forward-token', { method: 'POST', admin: true, body: JSON.stringify(args) });
      if (r.status !== 200) return fail(errorText(r));
      return ok((r.body as { token: string }).token, r.body);
    },
  ),
  tool(
    'lava_usage',
    {
      description: 'Spend recorded by this gateway: today, 7 and 30 days, this month, top models, budget left.',
      inputSchema: {
        days: z.number().int().min(1).max(366).default(30),
        by: z.enum(['model', 'provider']).default('model'),
      },
    },
    async (link, args) => {
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
  ),
  tool(
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
    async (link, args) => {
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
  ),
];
