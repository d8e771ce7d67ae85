/**
 * Benchmark upstream: a minimal, fast OpenAI-shaped server. POST …/chat/completions answers a
 * ~1 KB JSON body with usage; with `"stream":true` it sends `chunks` SSE frames `gapMs` apart.
 * Prints its port on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const reply = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1732000000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(700) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 250, completion_tokens: 175, total_tokens: 425 },
});

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    if (!body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
      res.end(reply);
      return;
    }
    const n = Number(/"chunks":(\d+)/.exec(body)?.[1] ?? 20);
    const gap = Number(/"gapMs":(\d+)/.exec(body)?.[1] ?? 10);
    const withUsage = body.includes('"include_usage":true');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const tick = () => {
      if (i < n) {
        res.write(
          `data: {"id":"chatcmpl-b","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"t${i}"}}]${withUsage ? ',"usage":null' : ''}}\n\n`,
        );
        i++;
        setTimeout(tick, gap);
        return;
      }
      if (withUsage)
        res.write(
          `data: {"id":"chatcmpl-b","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":${n},"total_tokens":${10 + n}}}\n\n`,
        );
      res.end('data: [DONE]\n\n');
    };
    tick();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
