/**
 * Configuration: one zod schema, four layers merged once at the edge (defaults < saved settings
 * and the 0600 secrets file < `--config` file < environment), then passed down as `GatewayConfig`.
 * Errors name the key and the problem in one line.
 */
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { PROVIDER_TABLE } from './providers/table.js';

export const DEFAULT_PORT = 5282;
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

const style = z.enum(['openai', 'anthropic', 'google', 'elevenlabs']);
const httpUrl = z
  .string()
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http(s) URL');

/** A daily and a monthly cap in USD (either may be absent). */
const caps = z.strictObject({ daily: z.number().positive().optional(), monthly: z.number().positive().optional() });

const providerSchema = z.strictObject({
  mode: z.enum(['direct', 'lava']).optional(),
  apiKey: z.string().min(1).optional(),
  origin: httpUrl.optional(),
  byok: z.boolean().optional(),
  /** Use `apiKey` even for a client signed in with its own plan (default: the plan's token passes through). */
  replaceSubscription: z.boolean().optional(),
  style: style.optional(),
  authHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
    .optional(),
});

export const configSchema = z.strictObject({
  lava: z
    .strictObject({
      secretKey: z.string().min(1).optional(),
      baseUrl: httpUrl.optional(),
      customerId: z.string().min(1).optional(),
      meterSlug: z.string().min(1).optional(),
      sync: z.boolean().default(true),
    })
    .prefault({}),
  providers: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'bad provider key'), providerSchema).default({}),
  forward: z.strictObject({ allowedHosts: z.array(z.string().min(1)).default([]) }).prefault({}),
  budgets: z
    .strictObject({
      daily: z.number().positive().optional(),
      monthly: z.number().positive().optional(),
      hardStop: z.boolean().default(false),
      /** Caps per tool (`claude-code`, `codex`, …) and per project (a working directory), daily and monthly. */
      tools: z.record(z.string().min(1).max(64), caps).default({}),
      projects: z.record(z.string().min(1).max(1024), caps).default({}),
      /** The output a request may still produce, for its reservation: min(its max_tokens, this). */
      reserveOutputTokens: z.number().int().min(1).max(1_000_000).default(4096),
      /** Under a hard stop, requests for models without known prices: let through (default) or refuse. */
      unpriced: z.enum(['pass', 'refuse']).default('pass'),
    })
    .prefault({}),
  guards: z
    .strictObject({
      /** Per tool: crossing either pauses that tool until resumed (0 turns a limit off). */
      runaway: z
        .strictObject({
          requestsPerMinute: z.number().int().min(0).default(120),
          dollarsPerHour: z.number().min(0).default(20),
        })
        .prefault({}),
    })
    .prefault({}),
  security: z
    .strictObject({
      allowedOrigins: z.array(z.string().min(1)).default([]),
      localKey: z.string().min(8).optional(),
    })
    .prefault({}),
  meter: z.strictObject({ injectStreamUsage: z.boolean().default(true) }).prefault({}),
  capture: z.strictObject({ bodies: z.boolean().default(false) }).prefault({}),
  retention: z.strictObject({ days: z.number().int().min(1).default(365) }).prefault({}),
  limits: z.strictObject({ bodyBytes: z.number().int().min(1024).default(DEFAULT_BODY_LIMIT) }).prefault({}),
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars in `over` replace those in `base`. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
}

/** Configuration from environment variables (PRODUCT.md §11). */
export function configFromEnv(env: NodeJS.ProcessEnv): Json {
  const out: Json = {};
  const lava: Json = {};
  if (env.LAVA_SECRET_KEY) lava.secretKey = env.LAVA_SECRET_KEY;
  if (env.LAVA_BASE_URL) lava.baseUrl = env.LAVA_BASE_URL;
  if (Object.keys(lava).length) out.lava = lava;
  if (env.LAVA_DESKTOP_PORT) {
    const port = Number(env.LAVA_DESKTOP_PORT);
    if (!Number.isInteger(port))
      throw new ConfigError(`LAVA_DESKTOP_PORT: "${env.LAVA_DESKTOP_PORT}" is not a port number`);
    out.port = port;
  }
  const providers: Json = {};
  for (const row of PROVIDER_TABLE) {
    const name = row.env.find((n) => env[n]);
    if (name) providers[row.key] = { apiKey: env[name] };
  }
  if (Object.keys(providers).length) out.providers = providers;
  return out;
}

/** Reads a JSON object from a file, naming the file in every error. */
export function readJsonObject(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(parsed)) throw new ConfigError(`${file}: must hold a JSON object`);
  return parsed;
}

export function parseConfig(input: unknown, where = 'config'): GatewayConfig {
  const r = configSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(root)';
  const keys = 'keys' in issue && Array.isArray(issue.keys) ? `: ${issue.keys.join(', ')}` : '';
  throw new ConfigError(`${where}: ${path}: ${issue.message}${keys}`);
}

export interface ConfigLayers {
  saved?: Json;
  secrets?: Json;
  file?: Json;
  env?: Json;
  /** Flags given on the command line (`--port`). */
  flags?: Json;
}

/** Merges the layers in precedence order and validates the result. */
export function resolveConfig(layers: ConfigLayers): GatewayConfig {
  let merged: Json = {};
  for (const layer of [layers.saved, layers.secrets, layers.file, layers.env, layers.flags]) {
    if (layer) merged = deepMerge(merged, layer);
  }
  return parseConfig(merged);
}
