/** The filter that hides the gateway's injected usage chunk: exact bytes otherwise, any chunking. */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { UsageChunkFilter, rewriteEvent } from '../../src/proxy/sse-filter.js';
import { fixture, pieces } from './fixtures.js';

async function run(text: string, size: number): Promise<string> {
  const out: Buffer[] = [];
  const filter = Readable.from(pieces(text, size).map((p) => Buffer.from(p))).pipe(new UsageChunkFilter());
  for await (const c of filter) out.push(c as Buffer);
  return Buffer.concat(out).toString('utf8');
}

describe('UsageChunkFilter', () => {
  it('turns a stream with injected usage into exactly the stream without it', async () => {
    const withUsage = fixture('openai-chat-stream-usage.sse');
    const plain = fixture('openai-chat-stream-plain.sse');
    for (const size of [1, 3, 50, 100_000]) expect(await run(withUsage, size)).toBe(plain);
  });

  it('handles CRLF framing and multi-byte characters split across chunks', async () => {
    const ev = (o: unknown) => `data: ${JSON.stringify(o)}\r\n\r\n`;
    const input =
      ev({ id: 'a', choices: [{ delta: { content: 'héllo 👋' } }], usage: null }) +
      ev({ id: 'a', choices: [], usage: { prompt_tokens: 1 } }) +
      'data: [DONE]\r\n\r\n';
    const expected = ev({ id: 'a', choices: [{ delta: { content: 'héllo 👋' } }] }) + 'data: [DONE]\r\n\r\n';
    const bytes = Buffer.from(input);
    for (const size of [1, 2, 5]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const out: Buffer[] = [];
      for await (const c of Readable.from(chunks).pipe(new UsageChunkFilter())) out.push(c as Buffer);
      expect(Buffer.concat(out).toString()).toBe(expected);
    }
  });

  it('keeps events that merely mention usage in their content', () => {
    const e = 'data: {"choices":[{"delta":{"content":"\\"usage\\": {"}}]}\n\n';
    expect(rewriteEvent(e)).toBe(e);
  });
});
