/** Test data: saved provider responses from test/fixtures, and request records. */
import { readFileSync } from 'node:fs';
import { ulid } from 'ulid';
import type { RequestRecord } from '../../src/store/types.js';

export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** Splits text into pieces of `size` characters, as a network might. */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A plausible request record started at `at`. */
export function rec(at: Date, i: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: ulid(at.getTime()),
    startedAt: at.toISOString(),
    durationMs: 10,
    provider: i % 2 ? 'openai' : 'anthropic',
    mode: 'direct',
    method: 'POST',
    path: '/x',
    model: i % 2 ? 'gpt-4o-mini' : 'claude-haiku-4-5',
    stream: false,
    status: 200,
    usage: {
      input_tokens: 10,
      output_tokens: 5,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 15,
    },
    usageSource: 'response',
    cost: '0.0000100000',
    costSource: 'prices',
    pricesVersion: 't',
    client: 'test',
    sync: 'local',
    ...extra,
  };
}
