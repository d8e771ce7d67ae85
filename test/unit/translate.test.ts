/** OpenAI chat ⇄ Anthropic Messages transforms, table-driven, on requests, responses and saved streams. */
import { describe, expect, it } from 'vitest';
import { createParser } from 'eventsource-parser';
import {
  chatToMessages,
  messagesResponseToChat,
  MessagesToChatStream,
} from '../../src/translate/provider-anthropic.js';
import { chatResponseToMessages, ChatToMessagesStream, messagesToChat } from '../../src/translate/client-anthropic.js';
import { fixture } from './fixtures.js';

describe('chat → messages request', () => {
  it('moves system out, merges same-role turns, maps images, tools, tool results, stop and tool_choice', () => {
    const { body, warnings } = chatToMessages(
      {
        model: 'x',
        messages: [
          { role: 'system', content: 'A' },
          { role: 'developer', content: 'B' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'r1' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        stop: 'END',
        max_completion_tokens: 99,
        logprobs: true,
      },
      'claude-x',
    );
    expect(body).toEqual({
      model: 'claude-x',
      system: 'A\n\nB',
      max_tokens: 99,
      stop_sequences: ['END'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'r1' }] },
      ],
      tools: [{ name: 'f', description: undefined, input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'f' },
    });
    expect(warnings).toEqual(['logprobs is not supported by Anthropic and was dropped']);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
  ])('tool_choice %s', (choice, expected) => {
    expect(
      chatToMessages({ messages: [{ role: 'user', content: 'x' }], tool_choice: choice }, 'm').body.tool_choice,
    ).toEqual(expected);
  });
});

describe('messages → chat request', () => {
  it('system blocks, tool results as tool messages, images, stop, streaming usage', () => {
    const { body, warnings } = messagesToChat(
      {
        model: 'x',
        max_tokens: 10,
        stream: true,
        system: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'QQ==' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'ok' },
              { type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'r' }] }],
          },
        ],
        stop_sequences: ['X'],
        top_k: 5,
        tools: [
          { name: 'f', input_schema: { type: 'object' } },
          { type: 'web_search_20250305', name: 'web_search' },
        ],
        tool_choice: { type: 'any' },
      },
      'gpt-x',
    );
    expect(body).toEqual({
      model: 'gpt-x',
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['X'],
      messages: [
        { role: 'system', content: 'A\n\nB' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,QQ==' } },
          ],
        },
        {
          role: 'assistant',
          content: 'ok',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'r' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: undefined, parameters: { type: 'object' } } }],
      tool_choice: 'required',
    });
    expect(warnings).toEqual([
      'tool web_search is an Anthropic server tool and was dropped',
      'top_k is not supported by OpenAI-compatible APIs and was dropped',
    ]);
  });
});

describe('responses both ways', () => {
  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['stop_sequence', 'stop'],
  ])('stop_reason %s ⇄ finish_reason %s', (stop, finish) => {
    const chat = messagesResponseToChat(
      {
        id: 'msg_1',
        content: [{ type: 'text', text: 'x' }],
        stop_reason: stop,
        usage: { input_tokens: 3, cache_read_input_tokens: 4, output_tokens: 2 },
      },
      'm',
    );
    expect((chat.choices as { finish_reason: string }[])[0]!.finish_reason).toBe(finish);
    expect(chat.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 2,
      total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 4 },
    });
    if (stop !== 'stop_sequence') {
      const msg = chatResponseToMessages(
        {
          id: 'c',
          choices: [{ message: { content: 'x' }, finish_reason: finish }],
          usage: { prompt_tokens: 7, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } },
        },
        'm',
      );
      expect(msg.stop_reason).toBe(stop);
      expect(msg.usage).toEqual({
        input_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 4,
        output_tokens: 2,
      });
    }
  });
});

describe('streams', () => {
  it('Anthropic events → OpenAI chunks (saved stream): text, finish, usage with running totals', () => {
    const conv = new MessagesToChatStream('claude', true);
    const out: string[] = [];
    const parser = createParser({
      onEvent: (e) => out.push(...conv.event(e.event, JSON.parse(e.data) as Record<string, unknown>)),
    });
    parser.feed(fixture('anthropic-stream-server-tools.sse'));
    expect(out.at(-1)).toBe('[DONE]');
    const chunks = out.slice(0, -1).map(
      (p) =>
        JSON.parse(p) as {
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: Record<string, unknown>;
        },
    );
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Searching');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 2600 + 300 + 5000,
      completion_tokens: 145,
      total_tokens: 7900 + 145,
      prompt_tokens_details: { cached_tokens: 5000 },
    });
  });

  it('OpenAI chunks → Anthropic events (saved stream): well-formed block sequence and usage', () => {
    const conv = new ChatToMessagesStream('gpt');
    const events: [string, Record<string, unknown>][] = [];
    const parser = createParser({ onEvent: (e) => events.push(...conv.chunk(e.data)) });
    parser.feed(fixture('openai-chat-stream-usage.sse'));
    expect(events.map(([e]) => e)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[4]![1]).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 40, input_tokens: 1200 - 1024, cache_read_input_tokens: 1024 },
    });
  });
});

describe('nothing is dropped silently', () => {
  it('every key a translator does not carry over is named', () => {
    const w = chatToMessages(
      { model: 'x', messages: [], modalities: ['text'], prediction: {}, n: 1, response_format: { type: 'text' } },
      'm',
    ).warnings;
    expect(w).toEqual([
      'modalities is not supported by Anthropic and was dropped',
      'prediction is not supported by Anthropic and was dropped',
    ]);
    expect(
      messagesToChat(
        { model: 'x', max_tokens: 5, messages: [], thinking: { type: 'enabled' }, metadata: { user_id: 'u' } },
        'm',
      ).warnings,
    ).toEqual([
      'thinking is not supported by OpenAI-compatible APIs and was dropped',
      'metadata is not supported by OpenAI-compatible APIs and was dropped',
    ]);
  });
});
