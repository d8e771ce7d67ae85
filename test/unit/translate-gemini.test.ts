/** OpenAI chat ⇄ Gemini transforms: request mapping, response and usage, saved stream. */
import { describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import { chatToGemini, geminiResponseToChat, GeminiToChatStream } from '../../src/translate/provider-gemini.js';
import { fixture } from './fixtures.js';

describe('chat → Gemini', () => {
  it('system instruction, roles, images, tool calls and results by name, generation config, JSON mode, tool choice', () => {
    const { body, warnings } = chatToGemini({
      messages: [
        { role: 'system', content: 'S' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'q' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c9', type: 'function', function: { name: 'f', arguments: '{"x":2}' } }],
        },
        { role: 'tool', tool_call_id: 'c9', content: 'done' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 77,
      stop: ['Z'],
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'required',
      seed: 1,
    });
    expect(body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'q' }, { inlineData: { mimeType: 'image/png', data: 'AA==' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: { x: 2 } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { content: 'done' } } }] },
      ],
      systemInstruction: { parts: [{ text: 'S' }] },
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 77,
        stopSequences: ['Z'],
        responseMimeType: 'application/json',
      },
      tools: [{ functionDeclarations: [{ name: 'f', description: undefined, parameters: { type: 'object' } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
    expect(warnings).toEqual(['seed is not supported by Gemini and was dropped']);
  });
});

describe('Gemini → chat', () => {
  it('maps finish reasons and usage (thoughts are output and reasoning)', () => {
    const r = geminiResponseToChat(
      {
        candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'MAX_TOKENS' }],
        usageMetadata: {
          promptTokenCount: 10,
          candidatesTokenCount: 3,
          thoughtsTokenCount: 4,
          cachedContentTokenCount: 6,
        },
      },
      'g',
    );
    expect((r.choices as { finish_reason: string; message: { content: string } }[])[0]).toMatchObject({
      finish_reason: 'length',
      message: { content: 'hi' },
    });
    expect(r.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 6 },
      completion_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it('a saved SSE stream becomes chunks, a finish chunk, the usage chunk and [DONE]', () => {
    const conv = new GeminiToChatStream('g', true);
    const out: string[] = [];
    createParser({ onEvent: (e) => out.push(...conv.chunkOf(JSON.parse(e.data) as Record<string, unknown>)) }).feed(
      fixture('gemini-stream.sse'),
    );
    out.push(...conv.end());
    expect(out.at(-1)).toBe('[DONE]');
    const chunks = out.slice(0, -1).map(
      (p) =>
        JSON.parse(p) as {
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: { total_tokens: number };
        },
    );
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello');
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)!.usage!.total_tokens).toBe(40 + 9 + 120);
  });
});
