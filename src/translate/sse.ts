/**
 * Streaming translation through the hub: a provider's SSE events become chat chunk payloads, which
 * go out as chat (`data:` lines) or through a client's converter as its named events, event by
 * event as they arrive (eventsource-parser on the way in; complete events written on the way out).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { Json } from '../lib/json.js';

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

/** A provider's stream events as chat chunk payloads (`[DONE]` included). */
export interface ToChat {
  event(event: string | undefined, data: string): string[];
  end(): string[];
}

/** Chat chunk payloads as a client's named events (`[event, data]` pairs). */
export interface FromChat {
  chunk(payload: string): [string, Json][];
  finish(): [string, Json][];
}

const named = ([ev, data]: [string, Json]) => `event: ${ev}\ndata: ${JSON.stringify(data)}\n\n`;

/** Provider SSE → (chat) → client SSE, in one pass. */
export class HubSse extends SseTranslator {
  constructor(
    private readonly toChat: ToChat,
    private readonly fromChat?: FromChat,
  ) {
    super();
  }

  private send(payloads: string[]): void {
    for (const p of payloads) {
      if (!this.fromChat) this.push(`data: ${p}\n\n`);
      else for (const e of this.fromChat.chunk(p)) this.push(named(e));
    }
  }

  protected onEvent(event: string | undefined, data: string): void {
    this.send(this.toChat.event(event, data));
  }

  override _flush(cb: TransformCallback): void {
    this.send(this.toChat.end());
    if (this.fromChat) for (const e of this.fromChat.finish()) this.push(named(e));
    cb();
  }
}
