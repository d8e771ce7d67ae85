/**
 * Incremental SSE reading for metering: feeds text chunks to `eventsource-parser` and hands each
 * complete event to a style-specific callback. Runs on a tee of the bytes sent to the client.
 */
import { createParser } from 'eventsource-parser';
import type { ResponseFacts, StreamMeter } from './types.js';

export type SseEventHandler = (event: string | undefined, data: string, facts: ResponseFacts) => void;

export function sseMeter(onEvent: SseEventHandler): StreamMeter {
  const facts: ResponseFacts = {};
  const parser = createParser({
    onEvent: (e) => {
      try {
        onEvent(e.event, e.data, facts);
      } catch {
        // A malformed event must never break the stream to the client; it only loses metering detail.
      }
    },
  });
  return {
    push: (text) => parser.feed(text),
    facts: () => facts,
  };
}

/**
 * Reads the top-level objects of a JSON array that arrives in pieces (Gemini's streaming
 * without `alt=sse`). Each complete element is parsed and handed to `onItem`.
 */
export function jsonArrayMeter(onItem: (item: unknown, facts: ResponseFacts) => void): StreamMeter {
  const facts: ResponseFacts = {};
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  const push = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (depth > 0) current += c;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = depth > 0 ? true : inString;
      else if (c === '{' || (c === '[' && depth > 0)) {
        if (depth === 0) current = c;
        depth++;
      } else if ((c === '}' || c === ']') && depth > 0) {
        depth--;
        if (depth === 0) emit();
      }
    }
  };
  const emit = () => {
    try {
      onItem(JSON.parse(current), facts);
    } catch {
      // ignore a malformed element
    }
    current = '';
  };
  return { push, facts: () => facts };
}
