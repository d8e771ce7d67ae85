/**
 * Anthropic Messages simulator (lava-api.md §7.4): requires `x-api-key` — or, as for a Claude plan's
 * sign-in, an OAuth token as `Authorization: Bearer` with the `oauth-2025-04-20` beta — and `anthropic-version`,
 * rejects a body without `max_tokens` as the real API does, reports the uncached input apart
 * from cache reads/writes, and streams `message_start` → content blocks → one or more
 * `message_delta` with running totals → `message_stop`.
 */
import { knobs, replyWords, sendJson, startServer, tokensOf, writeFrames, type Simulator } from './http-util.js';

export interface AnthropicSim extends Simulator {
  lastUsage?: Record<string, number>;
}

const ev = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const invalid = (message: string) => ({ type: 'error', error: { type: 'invalid_request_error', message } });

export async function startAnthropic(opts: { requireKey?: string } = {}): Promise<AnthropicSim> {
  const sim: AnthropicSim = await startServer(async (req, res, raw) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const oauth =
      bearer && String(req.headers['anthropic-beta'] ?? '').includes('oauth-2025-04-20') ? bearer : undefined;
    const key = req.headers['x-api-key'] ?? oauth;
    if (!key || (opts.requireKey && key !== opts.requireKey && !oauth)) {
      return sendJson(res, 401, {
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      });
    }
    if (!req.headers['anthropic-version']) return sendJson(res, 400, invalid('anthropic-version: header is required'));
    const path = (req.url ?? '').split('?')[0]!;
    if (path.endsWith('/v1/messages/count_tokens')) {
      // Free: counts the prompt, answers `{input_tokens}` (no usage, no id).
      const b = JSON.parse(raw || '{}') as Record<string, unknown>;
      if (typeof b.model !== 'string') return sendJson(res, 400, invalid('model: Field required'));
      return sendJson(res, 200, { input_tokens: tokensOf(JSON.stringify([b.system ?? '', b.messages ?? []])) });
    }
    if (!path.endsWith('/v1/messages')) {
      return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
    }
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    if (typeof body.max_tokens !== 'number') return sendJson(res, 400, invalid('max_tokens: Field required'));
    const msgs = Array.isArray(body.messages) ? (body.messages as { role: string }[]) : [];
    if (msgs[0]?.role !== 'user')
      return sendJson(res, 400, invalid('messages: first message must use the "user" role'));
    for (let i = 1; i < msgs.length; i++) {
      if (msgs[i]!.role === msgs[i - 1]!.role)
        return sendJson(res, 400, invalid('messages: roles must alternate between "user" and "assistant"'));
    }
    const tools = Array.isArray(body.tools) ? (body.tools as { name: string }[]) : [];
    const lastUser = JSON.stringify(msgs.at(-1) ?? {});
    const callTool = tools.length > 0 && raw.includes('[tool]') && !lastUser.includes('tool_result');
    const model = String(body.model ?? '');
    const err = /^error-(\d{3})$/.exec(model);
    if (err)
      return sendJson(res, Number(err[1]), {
        type: 'error',
        error: { type: 'api_error', message: `simulated ${err[1]}` },
      });
    const { gap, chunks } = knobs(raw);
    const words = replyWords(chunks);
    const total = tokensOf(JSON.stringify(body.messages ?? []) + JSON.stringify(body.system ?? ''));
    const cacheRead = raw.includes('[cached]') ? Math.floor(total / 2) : 0;
    const cacheWrite = raw.includes('[cache-write]') ? Math.floor(total / 4) : 0;
    const uncached = total - cacheRead - cacheWrite;
    const output = words.length * 2;
    const usage = {
      input_tokens: uncached,
      cache_creation_input_tokens: cacheWrite,
      cache_read_input_tokens: cacheRead,
      output_tokens: output,
    };
    sim.lastUsage = usage;
    const id = `msg_sim${Date.now().toString(36)}`;
    // Input and cache counts arrive at once; output starts at 1 and grows in message_delta.
    const messageStart = () =>
      ev('message_start', {
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      });
    const text = words.join('');
    if (callTool) {
      const toolUse = { type: 'tool_use', id: 'toolu_sim1', name: tools[0]!.name, input: { city: 'Paris' } };
      if (body.stream !== true) {
        return sendJson(res, 200, {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: 'Let me check.' }, toolUse],
          stop_reason: 'tool_use',
          stop_sequence: null,
          usage,
        });
      }
      return writeFrames(
        res,
        [
          messageStart(),
          ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
          ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me check.' } }),
          ev('content_block_stop', { index: 0 }),
          ev('content_block_start', {
            index: 1,
            content_block: { type: 'tool_use', id: 'toolu_sim1', name: tools[0]!.name, input: {} },
          }),
          ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": ' } }),
          ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
          ev('content_block_stop', { index: 1 }),
          ev('message_delta', {
            delta: { stop_reason: 'tool_use', stop_sequence: null },
            usage: { output_tokens: output },
          }),
          ev('message_stop', {}),
        ],
        gap,
      );
    }
    if (body.stream !== true) {
      return sendJson(res, 200, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { ...usage, service_tier: 'standard' },
      });
    }
    const half = Math.floor(output / 2);
    const frames = [
      messageStart(),
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('ping', {}),
      ...words.map((w) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } })),
      ev('content_block_stop', { index: 0 }),
      // Two deltas with running totals: a meter that sums them would count too much.
      ev('message_delta', { delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: half } }),
      ev('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: output },
      }),
      ev('message_stop', {}),
    ];
    await writeFrames(res, frames, gap);
  });
  return sim;
}
