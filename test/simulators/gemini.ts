/**
 * Gemini API simulator (lava-api.md §7.5): `:generateContent` (JSON) and
 * `:streamGenerateContent` — SSE framed with CRLF when `?alt=sse`, otherwise a JSON array sent
 * element by element. Each chunk repeats running `usageMetadata` totals; the last one is final
 * (with `[usage=end]` in the prompt, only the last chunk has them).
 */
import { knobs, replyWords, sendJson, sleep, startServer, tokensOf, type Simulator } from './http-util.js';

export interface GeminiSim extends Simulator {
  lastUsage?: Record<string, number>;
}

export async function startGemini(): Promise<GeminiSim> {
  const sim: GeminiSim = await startServer(async (req, res, raw) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!req.headers['x-goog-api-key'] && !url.searchParams.get('key')) {
      return sendJson(res, 403, {
        error: { code: 403, message: "Method doesn't allow unregistered callers", status: 'PERMISSION_DENIED' },
      });
    }
    if (/\/models\/[^/:]+:countTokens$/.test(url.pathname)) {
      const b = JSON.parse(raw || '{}') as Record<string, unknown>;
      return sendJson(res, 200, { totalTokens: tokensOf(JSON.stringify(b.contents ?? [])) });
    }
    const m = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
    const model = m[1]!;
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const { gap, chunks } = knobs(raw);
    const words = replyWords(chunks);
    const prompt = tokensOf(JSON.stringify(body.contents ?? []));
    const thoughts = raw.includes('[think]') ? 7 : 0;
    const usageAtEnd = raw.includes('[usage=end]');
    const usageAt = (n: number) => ({
      promptTokenCount: prompt,
      candidatesTokenCount: n * 2,
      ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
      totalTokenCount: prompt + n * 2 + thoughts,
    });
    const chunk = (i: number) => ({
      candidates: [
        {
          content: { parts: [{ text: words[i] }], role: 'model' },
          ...(i === words.length - 1 ? { finishReason: 'STOP' } : {}),
          index: 0,
        },
      ],
      // `[usage=end]`: only the last chunk reports usage, as some Gemini models and framings do.
      ...(usageAtEnd && i < words.length - 1 ? {} : { usageMetadata: usageAt(i + 1) }),
      modelVersion: model,
      responseId: 'gem-sim-1',
    });
    sim.lastUsage = usageAt(words.length);
    const decls =
      (body.tools as { functionDeclarations?: { name: string }[] }[] | undefined)?.[0]?.functionDeclarations ?? [];
    const contents = (body.contents as { parts: Record<string, unknown>[] }[] | undefined) ?? [];
    const answered = contents.some((c) => c.parts.some((p) => 'functionResponse' in p));
    if (decls.length && raw.includes('[tool]') && !answered) {
      const call = {
        candidates: [
          {
            content: { parts: [{ functionCall: { name: decls[0]!.name, args: { city: 'Paris' } } }], role: 'model' },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: usageAt(1),
        modelVersion: model,
      };
      if (m[2] === 'generateContent') return sendJson(res, 200, call);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return void res.end(`data: ${JSON.stringify(call)}\r\n\r\n`);
    }
    if (m[2] === 'generateContent') {
      return sendJson(res, 200, {
        candidates: [{ content: { parts: [{ text: words.join('') }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: usageAt(words.length),
        modelVersion: model,
        responseId: 'gem-sim-1',
      });
    }
    const sseMode = url.searchParams.get('alt') === 'sse';
    res.writeHead(200, { 'content-type': sseMode ? 'text/event-stream' : 'application/json; charset=UTF-8' });
    for (let i = 0; i < words.length; i++) {
      if (res.destroyed) return;
      if (sseMode) res.write(`data: ${JSON.stringify(chunk(i))}\r\n\r\n`);
      else res.write(`${i === 0 ? '[' : ',\r\n'}${JSON.stringify(chunk(i), null, 1)}`);
      if (gap) await sleep(gap);
    }
    if (!sseMode) res.write(']');
    res.end();
  });
  return sim;
}
