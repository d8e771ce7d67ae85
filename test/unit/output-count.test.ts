/**
 * The stream meters' running output count under a budget: each delta counted once (chat content,
 * reasoning, tool-call arguments; Responses `*.delta` text but not audio; Anthropic and Gemini
 * deltas), dropped once the provider's final usage arrives; no count without a tokenizer.
 */
import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { openAiStyle } from '../../src/providers/openai/index.js';
import { anthropicStyle } from '../../src/providers/anthropic/index.js';
import { googleStyle } from '../../src/providers/google/index.js';

const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const ev = (type: string, o: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`;

describe('output counted as it streams', () => {
  it('OpenAI chat: content, reasoning and tool-call arguments; the usage chunk replaces the count', () => {
    const m = openAiStyle.streamMeter('/v1/chat/completions', countTokens);
    m.push(data({ id: 'c1', model: 'gpt-4o', choices: [{ delta: { role: 'assistant', content: 'Hello there' } }] }));
    m.push(data({ id: 'c1', choices: [{ delta: { reasoning_content: 'thinking hard' } }] }));
    m.push(
      data({ id: 'c1', choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } }] }),
    );
    const n = countTokens('Hello there') + countTokens('thinking hard') + countTokens('{"city":');
    expect(m.facts().outputSoFar).toBe(n);
    expect(m.facts().usage).toBeUndefined();
    m.push(data({ id: 'c1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } }));
    m.push(data({ id: 'c1', choices: [{ delta: { content: 'late' } }] }));
    expect(m.facts().outputSoFar).toBeUndefined();
    expect(m.facts().usage).toMatchObject({ input_tokens: 5, output_tokens: 9 });
  });

  it('OpenAI Responses: text and arguments deltas, not audio; response.completed replaces the count', () => {
    const m = openAiStyle.streamMeter('/v1/responses', countTokens);
    m.push(ev('response.created', { response: { id: 'r1', model: 'gpt-4o', usage: null } }));
    m.push(ev('response.output_text.delta', { delta: 'Once upon' }));
    m.push(ev('response.function_call_arguments.delta', { delta: '{"a":1}' }));
    m.push(ev('response.audio.delta', { delta: 'UklGRiQAAABXQVZFZm10IBAAAAABAAEA' }));
    expect(m.facts().outputSoFar).toBe(countTokens('Once upon') + countTokens('{"a":1}'));
    m.push(ev('response.completed', { response: { id: 'r1', usage: { input_tokens: 3, output_tokens: 4 } } }));
    expect(m.facts().outputSoFar).toBeUndefined();
    expect(m.facts().usage).toMatchObject({ input_tokens: 3, output_tokens: 4 });
  });

  it('without a tokenizer nothing is counted (no budget: the meter stays as cheap as before)', () => {
    const m = openAiStyle.streamMeter('/v1/chat/completions');
    m.push(data({ id: 'c1', choices: [{ delta: { content: 'Hello there' } }] }));
    m.push(data({ id: 'c1', choices: [{ delta: { content: 'more' } }] }));
    expect(m.facts().outputSoFar).toBeUndefined();
  });

  it('Anthropic: text and tool-input deltas until message_delta; Gemini: parts text until the final usage', () => {
    const a = anthropicStyle.streamMeter('/v1/messages', countTokens);
    a.push(
      ev('message_start', { message: { id: 'm', model: 'claude', usage: { input_tokens: 7, output_tokens: 1 } } }),
    );
    a.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi you' } }));
    a.push(ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":' } }));
    expect(a.facts().outputSoFar).toBe(countTokens('Hi you') + countTokens('{"x":'));
    a.push(ev('message_delta', { delta: {}, usage: { output_tokens: 30 } }));
    expect(a.facts().outputSoFar).toBeUndefined();
    expect(a.facts().usage).toMatchObject({ input_tokens: 7, output_tokens: 30 });

    const g = googleStyle.streamMeter('/v1beta/models/m:streamGenerateContent?alt=sse', countTokens);
    g.push(data({ candidates: [{ content: { parts: [{ text: 'Bonjour le monde' }] } }] }));
    expect(g.facts().outputSoFar).toBe(countTokens('Bonjour le monde'));
    g.push(
      data({
        candidates: [{ content: { parts: [{ text: '!' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6, totalTokenCount: 10 },
      }),
    );
    expect(g.facts().outputSoFar).toBeUndefined();
    expect(g.facts().usage).toMatchObject({ input_tokens: 4, output_tokens: 6 });
  });
});
