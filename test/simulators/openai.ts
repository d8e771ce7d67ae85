/**
 * OpenAI API simulator (lava-api.md §7.1–7.3): chat completions (JSON and SSE, with usage in
 * the stream only when `stream_options.include_usage` is set, `"usage":null` on other chunks
 * then), Responses (JSON and typed SSE events ending in `response.completed`), embeddings.
 * Models named `error-<status>` answer that status with an OpenAI error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { knobs, replyWords, sendJson, startServer, tokensOf, writeFrames, type Simulator } from './http-util.js';

export interface OpenAiSim extends Simulator {
  /** The usage object the simulator sent last (what the gateway must record). */
  lastUsage?: Record<string, unknown>;
}

const sse = (obj: unknown) => `data: ${JSON.stringify(obj)}\n\n`;

export async function startOpenAi(opts: { requireKey?: string } = {}): Promise<OpenAiSim> {
  const sim: OpenAiSim = await startServer(async (req, res, raw, bytes) => {
    if (opts.requireKey && req.headers.authorization !== `Bearer ${opts.requireKey}`) {
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    }
    const path = (req.url ?? '').replace(/^\/[^/]+(?=\/v1\/)/, '').split('?')[0];
    if (path?.endsWith('/audio/transcriptions')) return transcription(sim, req, res, bytes);
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, {
        error: {
          message: 'We could not parse the JSON body of your request.',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    const model = String(body.model ?? '');
    const err = /^error-(\d{3})$/.exec(model);
    if (err) {
      return sendJson(res, Number(err[1]), {
        error: { message: `simulated ${err[1]}`, type: 'server_error', param: null, code: 'simulated' },
      });
    }
    if (path?.endsWith('/responses/input_tokens'))
      return sendJson(res, 200, {
        object: 'response.input_tokens',
        input_tokens: tokensOf(JSON.stringify(body.input ?? '')),
      });
    if (path?.endsWith('/chat/completions')) return chat(sim, res, body, model, raw);
    if (path?.endsWith('/responses')) return responses(sim, res, body, model, raw);
    if (path?.endsWith('/embeddings')) {
      const usage = {
        prompt_tokens: tokensOf(JSON.stringify(body.input ?? '')),
        total_tokens: tokensOf(JSON.stringify(body.input ?? '')),
      };
      sim.lastUsage = usage;
      return sendJson(res, 200, {
        object: 'list',
        // The SDKs ask for base64 (little-endian float32) by default and decode it themselves.
        data: [
          {
            object: 'embedding',
            index: 0,
            embedding:
              body.encoding_format === 'base64'
                ? Buffer.from(new Float32Array([0.1, 0.2, 0.3]).buffer).toString('base64')
                : [0.1, 0.2, 0.3],
          },
        ],
        model,
        usage,
      });
    }
    if (path?.endsWith('/models'))
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' }],
      });
    sendJson(res, 404, {
      error: { message: `Invalid URL (${req.method} ${path})`, type: 'invalid_request_error', param: null, code: null },
    });
  });
  return sim;
}

async function chat(
  sim: OpenAiSim,
  res: import('node:http').ServerResponse,
  body: Record<string, unknown>,
  model: string,
  raw: string,
) {
  const { gap, chunks, split } = knobs(raw);
  const words = replyWords(chunks);
  const prompt = tokensOf(JSON.stringify(body.messages ?? []));
  const completion = words.length * 2;
  const cached = raw.includes('[cached]') ? Math.floor(prompt / 2) : 0;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  const id = `chatcmpl-sim${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const created = Math.floor(Date.now() / 1000);
  const chatCompletion = (message: Record<string, unknown>, finish: string) => ({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
    system_fingerprint: 'fp_sim',
  });
  const messages = Array.isArray(body.messages) ? (body.messages as { role: string; tool_calls?: unknown[] }[]) : [];
  for (const [i, m] of messages.entries()) {
    if (m.role === 'tool' && !messages.slice(0, i).some((p) => p.role === 'assistant' && p.tool_calls?.length)) {
      return sendJson(res, 400, {
        error: {
          message:
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          type: 'invalid_request_error',
          param: 'messages',
          code: null,
        },
      });
    }
  }
  const tools = Array.isArray(body.tools) ? (body.tools as { function: { name: string } }[]) : [];
  if (tools.length && raw.includes('[tool]') && messages.at(-1)?.role !== 'tool') {
    const call = {
      id: 'call_sim1',
      type: 'function',
      function: { name: tools[0]!.function.name, arguments: '{"city":"Paris"}' },
    };
    sim.lastUsage = usage;
    if (body.stream !== true) {
      return sendJson(
        res,
        200,
        chatCompletion({ role: 'assistant', content: null, tool_calls: [call], refusal: null }, 'tool_calls'),
      );
    }
    const base = { id, object: 'chat.completion.chunk', created, model };
    const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const frames = [
      sse({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { index: 0, id: 'call_sim1', type: 'function', function: { name: call.function.name, arguments: '' } },
              ],
            },
            finish_reason: null,
          },
        ],
      }),
      sse({
        ...base,
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null },
        ],
      }),
      sse({
        ...base,
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null },
        ],
      }),
      sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      ...(withUsage ? [sse({ ...base, choices: [], usage })] : []),
      'data: [DONE]\n\n',
    ];
    return writeFrames(res, frames, gap);
  }
  if (body.stream !== true) {
    sim.lastUsage = usage;
    return sendJson(res, 200, chatCompletion({ role: 'assistant', content: words.join(''), refusal: null }, 'stop'));
  }
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_sim' };
  const extra = withUsage ? { usage: null } : {};
  const frames = [
    sse({
      ...base,
      choices: [
        { index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null },
      ],
      ...extra,
    }),
  ];
  for (const w of words)
    frames.push(
      sse({ ...base, choices: [{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }], ...extra }),
    );
  frames.push(sse({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...extra }));
  if (withUsage) frames.push(sse({ ...base, choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  sim.lastUsage = withUsage ? usage : undefined;
  await writeFrames(res, frames, gap, split);
}

async function responses(
  sim: OpenAiSim,
  res: import('node:http').ServerResponse,
  body: Record<string, unknown>,
  model: string,
  raw: string,
) {
  const { gap, chunks, split } = knobs(raw);
  const words = replyWords(chunks);
  const input = tokensOf(JSON.stringify(body.input ?? ''));
  const output = words.length * 2;
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 1 },
    total_tokens: input + output,
  };
  sim.lastUsage = usage;
  const id = `resp_sim${Date.now().toString(36)}`;
  const text = words.join('');
  const message = {
    id: 'msg_sim1',
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const done = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model,
    output: [message],
    usage,
  };
  if (body.stream !== true) return sendJson(res, 200, done);
  const pending = { ...done, status: 'in_progress', output: [], usage: null };
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const frames = [
    ev('response.created', { response: pending }),
    ev('response.in_progress', { response: pending }),
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    ev('response.content_part.added', {
      item_id: 'msg_sim1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...words.map((w) =>
      ev('response.output_text.delta', { item_id: 'msg_sim1', output_index: 0, content_index: 0, delta: w }),
    ),
    ev('response.output_text.done', { item_id: 'msg_sim1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', {
      item_id: 'msg_sim1',
      output_index: 0,
      content_index: 0,
      part: message.content[0],
    }),
    ev('response.output_item.done', { output_index: 0, item: message }),
    ev('response.completed', { response: done }),
  ];
  await writeFrames(res, frames, gap, split);
}

/**
 * `POST /v1/audio/transcriptions` (multipart): whisper-1 reports the audio's duration
 * (`usage: {type: "duration", seconds}`), gpt-4o-transcribe tokens with audio and text parts;
 * `response_format=text` answers plain text with no usage. Duration here: one second per 1000
 * bytes of the file, so tests can predict it.
 */
async function transcription(sim: OpenAiSim, req: IncomingMessage, res: ServerResponse, bytes: Buffer): Promise<void> {
  const fields: Record<string, string> = {};
  let fileBytes = 0;
  await new Promise<void>((done) => {
    const bb = busboy({ headers: req.headers });
    bb.on('field', (k, v) => (fields[k] = v));
    bb.on('file', (_n, stream) => stream.on('data', (c: Buffer) => (fileBytes += c.length)));
    bb.once('close', done);
    bb.once('error', () => done());
    bb.end(bytes);
  });
  const model = fields.model;
  if (!model || fileBytes === 0)
    return sendJson(res, 400, {
      error: { message: "'file' and 'model' are required", type: 'invalid_request_error', param: null, code: null },
    });
  const text = 'Hello from the simulator.';
  if (fields.response_format === 'text') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end(text);
  }
  const seconds = Math.max(1, Math.round(fileBytes / 1000));
  const usage =
    model === 'whisper-1'
      ? { type: 'duration', seconds }
      : {
          type: 'tokens',
          input_tokens: seconds * 10 + 5,
          input_token_details: { text_tokens: 5, audio_tokens: seconds * 10 },
          output_tokens: tokensOf(text),
          total_tokens: seconds * 10 + 5 + tokensOf(text),
        };
  sim.lastUsage = usage;
  sendJson(res, 200, { text, usage });
}
