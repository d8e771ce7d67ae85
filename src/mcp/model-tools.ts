/** The MCP tools that call models through the gateway: chat completions, messages, forward, rewrite (Lava's names). */
import { z } from 'zod';
import { call, errorText, fail, ok, tool, type ToolDef } from './link.js';

const message = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
    content: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
  })
  .passthrough();

export const MODEL_TOOLS: ToolDef[] = [
  tool(
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
    async (link, args) => {
      const r = await call(link, '/v1/chat/completions', { method: 'POST', body: JSON.stringify(args) });
      if (r.status !== 200) return fail(errorText(r));
      const text = (r.body as { choices?: { message?: { content?: string } }[] }).choices?.[0]?.message?.content ?? '';
      return ok(text, r.body);
    },
  ),
  tool(
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
    async (link, args) => {
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
  ),
  tool(
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
    async (link, args) => {
      const init: RequestInit = { method: args.method, headers: args.headers };
      if (args.body !== undefined && args.method !== 'GET')
        init.body = typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
      const r = await call(link, `/v1/forward?u=${encodeURIComponent(args.url)}`, init);
      if (r.status >= 400) return fail(errorText(r));
      return ok(typeof r.body === 'string' ? r.body : JSON.stringify(r.body), { status: r.status, body: r.body });
    },
  ),
  tool(
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
    async (link, args) => {
      const r = await call(link, `/v1/rewrite/${args.format}/${args.url}`, {
        method: 'POST',
        body: JSON.stringify(args.body),
      });
      if (r.status !== 200) return fail(errorText(r));
      return ok(JSON.stringify(r.body), r.body as Record<string, unknown>);
    },
  ),
];
