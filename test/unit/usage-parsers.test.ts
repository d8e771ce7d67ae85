/** Usage extraction per API style, on saved fixtures, fed whole and in every chunking. */
import { describe, expect, it } from 'vitest';
import { STYLES } from '../../src/providers/registry.js';
import { fixture, pieces } from './fixtures.js';
import type { ApiStyle } from '../../src/providers/types.js';

function meterIn(style: ApiStyle, path: string, text: string, size: number) {
  const m = style.streamMeter(path);
  for (const p of pieces(text, size)) m.push(p);
  return m.facts();
}

describe('OpenAI style', () => {
  it('reads the usage-only final chunk of a chat stream, in any chunking', () => {
    const text = fixture('openai-chat-stream-usage.sse');
    for (const size of [1, 7, 64, 100_000]) {
      expect(meterIn(STYLES.openai, '/v1/chat/completions', text, size)).toEqual({
        responseId: 'chatcmpl-fx1',
        model: 'gpt-4o-mini-2024-07-18',
        usage: {
          input_tokens: 1200,
          output_tokens: 40,
          cache_read_tokens: 1024,
          cache_write_tokens: 0,
          reasoning_tokens: 12,
          total_tokens: 1240,
        },
      });
    }
  });

  it('a stream without usage yields ids but no usage', () => {
    const f = meterIn(STYLES.openai, '/v1/chat/completions', fixture('openai-chat-stream-plain.sse'), 50);
    expect(f.usage).toBeUndefined();
    expect(f.responseId).toBe('chatcmpl-fx1');
  });

  it('reads Responses API usage from response.completed', () => {
    const f = meterIn(STYLES.openai, '/v1/responses', fixture('openai-responses-stream.sse'), 13);
    expect(f).toMatchObject({
      responseId: 'resp_fx1',
      usage: {
        input_tokens: 300,
        output_tokens: 500,
        cache_read_tokens: 100,
        reasoning_tokens: 448,
        total_tokens: 800,
      },
    });
  });

  it('reads JSON bodies of chat, responses and embeddings', () => {
    expect(
      STYLES.openai.readJson({ id: 'c', usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }).usage,
    ).toMatchObject({ input_tokens: 5, output_tokens: 2, total_tokens: 7 });
    expect(STYLES.openai.readJson({ usage: { prompt_tokens: 9, total_tokens: 9 } }).usage).toMatchObject({
      input_tokens: 9,
      output_tokens: 0,
      total_tokens: 9,
    });
    expect(STYLES.openai.readJson({ error: { message: 'x' } }).usage).toBeUndefined();
  });
});

describe('Anthropic style', () => {
  it('adds cache tokens into input and keeps the latest running total per field', () => {
    for (const size of [1, 33, 100_000]) {
      const f = meterIn(STYLES.anthropic, '/v1/messages', fixture('anthropic-stream-server-tools.sse'), size);
      // input grew to 2600 in the first delta (server tools); output is the last delta's 145, not 3+60+145.
      expect(f.usage).toEqual({
        input_tokens: 2600 + 300 + 5000,
        output_tokens: 145,
        cache_read_tokens: 5000,
        cache_write_tokens: 300,
        reasoning_tokens: 0,
        total_tokens: 7900 + 145,
      });
      expect(f.responseId).toBe('msg_fx1');
      expect(f.model).toBe('claude-sonnet-4-5-20250929');
    }
  });

  it('reads a JSON body', () => {
    const f = STYLES.anthropic.readJson({
      id: 'msg_1',
      model: 'claude-haiku-4-5',
      usage: { input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 0, output_tokens: 4 },
    });
    expect(f.usage).toMatchObject({ input_tokens: 100, cache_read_tokens: 90, output_tokens: 4, total_tokens: 104 });
  });
});

describe('Gemini style', () => {
  it('SSE with CRLF framing: the last usageMetadata wins, thoughts count as output', () => {
    for (const size of [1, 5, 100_000]) {
      const f = meterIn(
        STYLES.google,
        '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
        fixture('gemini-stream.sse'),
        size,
      );
      expect(f.usage).toEqual({
        input_tokens: 40,
        output_tokens: 129,
        cache_read_tokens: 32,
        cache_write_tokens: 0,
        reasoning_tokens: 120,
        total_tokens: 169,
      });
      expect(f.responseId).toBe('gem-fx');
    }
  });

  it('a JSON array stream split anywhere, with quotes, braces and escapes inside strings', () => {
    const text = fixture('gemini-stream-array.json');
    for (const size of [1, 2, 3, 17, 100_000]) {
      const f = meterIn(STYLES.google, '/v1beta/models/gemini-2.5-pro:streamGenerateContent', text, size);
      expect(f.usage).toMatchObject({ input_tokens: 10, output_tokens: 13, reasoning_tokens: 5, total_tokens: 23 });
      expect(f.model).toBe('gemini-2.5-pro');
    }
  });

  it('takes the model and stream flag from the URL', () => {
    expect(STYLES.google.requestInfo({}, '/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toEqual({
      model: 'gemini-2.5-flash',
      stream: true,
    });
    expect(STYLES.google.requestInfo({}, '/v1beta/models/gemini-2.5-flash:generateContent')).toEqual({
      model: 'gemini-2.5-flash',
      stream: false,
    });
  });
});

describe('ElevenLabs style', () => {
  it('counts characters of the TTS text (code points)', () => {
    expect(
      STYLES.elevenlabs.requestInfo({ text: 'héllo 👋', model_id: 'eleven_v3' }, '/v1/text-to-speech/abc'),
    ).toEqual({ model: 'eleven_v3', stream: false, characters: 7 });
    expect(STYLES.elevenlabs.requestInfo({ text: 'x' }, '/v1/voices').characters).toBeUndefined();
  });
});
