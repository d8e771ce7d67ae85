/**
 * Shared types of the provider layer: an API style says how to authenticate to an upstream,
 * how to read usage from its JSON bodies and streams, and how to phrase the gateway's own errors.
 */
import type { Usage } from './usage.js';

export type StyleId = 'openai' | 'anthropic' | 'google' | 'elevenlabs';

/** What the gateway learnt from the client's request body before forwarding it. */
export interface RequestInfo {
  model?: string;
  stream: boolean;
  /** Characters billed for character-metered APIs (ElevenLabs TTS `text`). */
  characters?: number;
  /** A multipart form (audio, uploads): usage comes from the answer only, never estimated from text. */
  multipart?: boolean;
}

/** What a response (JSON body or stream) told us. Later values replace earlier ones. */
export interface ResponseFacts {
  usage?: Usage;
  model?: string;
  responseId?: string;
  /**
   * Under a budget: output tokens counted from the stream's deltas so far (tokenizer), a running
   * estimate until the provider's final usage arrives and replaces it.
   */
  outputSoFar?: number;
}

/** Counts the tokens of a text (the gateway's tokenizer), or undefined when it is not loaded. */
export type TokenCount = (text: string) => number | undefined;

/** An incremental reader of a response stream; `push` takes raw text chunks as they arrive. */
export interface StreamMeter {
  push(text: string): void;
  facts(): ResponseFacts;
}

export interface ApiStyle {
  id: StyleId;
  /** Headers that carry `key` upstream, in the provider's own auth scheme. */
  authHeaders(key: string): Record<string, string>;
  /** Headers the style needs even when the client forgot them (e.g. `anthropic-version`). */
  defaultHeaders?: Record<string, string>;
  /** Reads model/stream flags from the parsed request body and the URL path. */
  requestInfo(body: unknown, path: string): RequestInfo;
  /** Usage and ids from a complete JSON response body. */
  readJson(body: unknown): ResponseFacts;
  /** A fresh incremental meter for a streamed response; with `count`, it also counts the output as it streams. */
  streamMeter(path: string, count?: TokenCount): StreamMeter;
  /** The gateway's own error in this API's error shape. */
  errorBody(status: number, code: string, message: string): unknown;
  /**
   * True when the credential a client sent is its own subscription sign-in (a Claude plan's
   * OAuth token), not a per-token API key: such requests are billed to the plan.
   */
  isSubscription?(credential: string): boolean;
}

export interface ProviderRow {
  key: string;
  /** The upstream base as the Lava SDK lists it (scheme, host and base path). */
  base: string;
  style: StyleId;
  /** Environment variables holding this provider's API key, first match wins. */
  env: string[];
}

/** A provider as the running gateway sees it: the table row merged with the user's config. */
export interface Provider {
  key: string;
  style: ApiStyle;
  /** Base URL as documented (`https://api.openai.com/v1`). */
  base: URL;
  /** The URL the client means (documented scheme://host; a custom provider's origin), for records and Lava. */
  documented: URL;
  /** Where requests really go: scheme://host[:port][/prefix]; the client's path is appended. */
  origin: URL;
  /** True when `origin` was overridden in config. */
  customOrigin: boolean;
  /** A row of the provider table (false for custom providers from config). */
  builtIn: boolean;
  mode: 'direct' | 'lava';
  apiKey?: string;
  byok: boolean;
  /** Replace a client's subscription credential with `apiKey` too (default: a plan sign-in passes through). */
  replaceSubscription: boolean;
  /** Custom auth header name for custom providers (value is the raw key, or `Bearer` when authorization). */
  authHeader?: string;
}
