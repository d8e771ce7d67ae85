/**
 * Streaming translation: SSE in one API's framing out as the other's, event by event as they
 * arrive (eventsource-parser on the way in; complete events written on the way out).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { ChatToMessagesStream, MessagesToChatStream } from './anthropic.js';
import { GeminiToChatStream } from './gemini.js';
import { ChatToResponsesStream } from './responses.js';

abstract class SseTranslator extends Transform {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser: EventSourceParser;

  constructor() {
    super();
    this.parser = createParser({
      onEvent: (e) => {
        try {
          this.onEvent(e.event, e.data);
        } catch {
          // a malformed upstream event is skipped, the stream goes on
        }
      },
    });
  }

  protected abstract onEvent(event: string | undefined, data: string): void;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parser.feed(this.decoder.write(chunk));
    cb();
  }
}

/** Anthropic Messages SSE → OpenAI chat completion chunks. */
export class AnthropicToOpenAiSse extends SseTranslator {
  private readonly conv: MessagesToChatStream;

  constructor(model: string, includeUsage: boolean) {
    super();
    this.conv = new MessagesToChatStream(model, includeUsage);
  }

  protected onEvent(event: string | undefined, data: string): void {
    for (const payload of this.conv.event(event, JSON.parse(data) as Record<string, unknown>))
      this.push(`data: ${payload}\n\n`);
  }
}

/** A converter from OpenAI chat chunk payloads to named events (Anthropic Messages, Responses API). */
interface ChatToEvents {
  chunk(payload: string): [string, Record<string, unknown>][];
  finish(): [string, Record<string, unknown>][];
}

const named = ([ev, data]: [string, Record<string, unknown>]) => `event: ${ev}\ndata: ${JSON.stringify(data)}\n\n`;

/** OpenAI chat chunks → a named-event SSE stream, through one of the converters above. */
class ChatToEventsSse extends SseTranslator {
  constructor(private readonly conv: ChatToEvents) {
    super();
  }

  protected onEvent(_event: string | undefined, data: string): void {
    for (const e of this.conv.chunk(data)) this.push(named(e));
  }

  override _flush(cb: TransformCallback): void {
    for (const e of this.conv.finish()) this.push(named(e));
    cb();
  }
}

/** OpenAI chat completion chunks → Anthropic Messages SSE. */
export class OpenAiToAnthropicSse extends ChatToEventsSse {
  constructor(model: string) {
    super(new ChatToMessagesStream(model));
  }
}

/** OpenAI chat chunks → Responses API events. */
export class ChatToResponsesSse extends ChatToEventsSse {
  constructor(model: string) {
    super(new ChatToResponsesStream(model));
  }
}

/** Gemini SSE (`alt=sse`) → OpenAI chat chunks, or on to Anthropic events for Anthropic clients. */
export class GeminiSse extends SseTranslator {
  private readonly gemini: GeminiToChatStream;
  private readonly anthropic?: ChatToMessagesStream;

  constructor(model: string, client: 'openai' | 'anthropic', includeUsage: boolean) {
    super();
    this.gemini = new GeminiToChatStream(model, client === 'anthropic' || includeUsage);
    if (client === 'anthropic') this.anthropic = new ChatToMessagesStream(model);
  }

  private send(payloads: string[]): void {
    for (const p of payloads) {
      if (!this.anthropic) this.push(`data: ${p}\n\n`);
      else for (const e of this.anthropic.chunk(p)) this.push(named(e));
    }
  }

  protected onEvent(_event: string | undefined, data: string): void {
    this.send(this.gemini.chunkOf(JSON.parse(data) as Record<string, unknown>));
  }

  override _flush(cb: TransformCallback): void {
    this.send(this.gemini.end());
    if (this.anthropic) for (const e of this.anthropic.finish()) this.push(named(e));
    cb();
  }
}
