/**
 * The gateway's normalised usage. `input_tokens` is the whole input, cached tokens included
 * (cache_read/cache_write are parts of it), as `@pydantic/genai-prices` expects.
 */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  characters?: number;
  /** Audio duration billed (transcriptions: `usage.seconds`). */
  seconds?: number;
  /** Input tokens that were audio (part of `input_tokens`; priced apart). */
  audio_tokens?: number;
}

export const emptyUsage = (): Usage => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  total_tokens: 0,
});

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** Chat completions and embeddings name the fields one way, the Responses API another. */
const OPENAI_FIELDS = [
  {
    input: 'prompt_tokens',
    output: 'completion_tokens',
    inDetails: 'prompt_tokens_details',
    outDetails: 'completion_tokens_details',
  },
  {
    input: 'input_tokens',
    output: 'output_tokens',
    inDetails: 'input_tokens_details',
    outDetails: 'output_tokens_details',
  },
] as const;

/**
 * OpenAI chat completions / embeddings (`prompt_tokens`…) or Responses (`input_tokens`…); audio
 * transcriptions report `{type: "duration", seconds}` or tokens with `input_token_details`.
 */
export function fromOpenAi(raw: unknown): Usage | undefined {
  const u = obj(raw);
  if (u.type === 'duration' && typeof u.seconds === 'number') return { ...emptyUsage(), seconds: num(u.seconds) };
  const f = OPENAI_FIELDS.find((names) => names.input in u || names.output in u);
  if (!f) return undefined;
  const input = num(u[f.input]);
  const output = num(u[f.output]);
  const inDetails = obj(u[f.inDetails] ?? u.input_token_details);
  const usage: Usage = {
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: num(inDetails.cached_tokens),
    cache_write_tokens: 0,
    reasoning_tokens: num(obj(u[f.outDetails]).reasoning_tokens),
    total_tokens: num(u.total_tokens) || input + output,
  };
  const audio = num(inDetails.audio_tokens);
  if (audio > 0) usage.audio_tokens = audio;
  return usage;
}

/**
 * Anthropic reports the uncached input apart from cache reads and writes; add them so
 * `input_tokens` is the whole input. Fields missing in `raw` keep their value from `prev`
 * (stream deltas carry running totals of only some fields).
 */
export function fromAnthropic(raw: unknown, prev?: Usage): Usage | undefined {
  const u = obj(raw);
  if (!('input_tokens' in u) && !('output_tokens' in u)) return prev;
  const p = prev ? anthropicParts(prev) : { uncached: 0, read: 0, write: 0, output: 0 };
  const pick = (k: string, fallback: number) => (typeof u[k] === 'number' ? num(u[k]) : fallback);
  const uncached = pick('input_tokens', p.uncached);
  const read = pick('cache_read_input_tokens', p.read);
  const write = pick('cache_creation_input_tokens', p.write);
  const output = pick('output_tokens', p.output);
  const input = uncached + read + write;
  return {
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: read,
    cache_write_tokens: write,
    reasoning_tokens: 0,
    total_tokens: input + output,
  };
}

function anthropicParts(u: Usage) {
  return {
    uncached: u.input_tokens - u.cache_read_tokens - u.cache_write_tokens,
    read: u.cache_read_tokens,
    write: u.cache_write_tokens,
    output: u.output_tokens,
  };
}

/** Gemini `usageMetadata`: candidates exclude thinking, so output = candidates + thoughts. */
export function fromGemini(raw: unknown): Usage | undefined {
  const u = obj(raw);
  if (!('promptTokenCount' in u) && !('totalTokenCount' in u)) return undefined;
  const input = num(u.promptTokenCount) + num(u.toolUsePromptTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const output = num(u.candidatesTokenCount) + thoughts;
  return {
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: num(u.cachedContentTokenCount),
    cache_write_tokens: 0,
    reasoning_tokens: thoughts,
    total_tokens: num(u.totalTokenCount) || input + output,
  };
}
