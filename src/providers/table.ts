/**
 * The providers Lava's SDK knows (lava-api.md §6), as data. Adding a provider is adding a row;
 * the style decides auth headers and where usage lives.
 */
import type { ProviderRow } from './types.js';

const oa = (key: string, base: string, env: string[]): ProviderRow => ({ key, base, style: 'openai', env });

export const PROVIDER_TABLE: readonly ProviderRow[] = [
  oa('openai', 'https://api.openai.com/v1', ['OPENAI_API_KEY']),
  { key: 'anthropic', base: 'https://api.anthropic.com/v1', style: 'anthropic', env: ['ANTHROPIC_API_KEY'] },
  oa('mistral', 'https://api.mistral.ai/v1', ['MISTRAL_API_KEY']),
  oa('deepseek', 'https://api.deepseek.com/v1', ['DEEPSEEK_API_KEY']),
  oa('xai', 'https://api.x.ai/v1', ['XAI_API_KEY']),
  {
    key: 'google',
    base: 'https://generativelanguage.googleapis.com/v1beta',
    style: 'google',
    env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  },
  oa('googleOpenaiCompatible', 'https://generativelanguage.googleapis.com/v1beta/openai', [
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
  ]),
  oa('kluster', 'https://api.kluster.ai/v1', ['KLUSTER_API_KEY']),
  oa('inference', 'https://api.inference.net/v1', ['INFERENCE_API_KEY']),
  oa('groq', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY']),
  oa('novita', 'https://api.novita.ai/v3/openai', ['NOVITA_API_KEY']),
  oa('vercel', 'https://api.v0.dev/v1', ['V0_API_KEY', 'VERCEL_API_KEY']),
  oa('together', 'https://api.together.xyz/v1', ['TOGETHER_API_KEY']),
  oa('hyperbolic', 'https://api.hyperbolic.xyz/v1', ['HYPERBOLIC_API_KEY']),
  { key: 'elevenlabs', base: 'https://api.elevenlabs.io/v1', style: 'elevenlabs', env: ['ELEVENLABS_API_KEY'] },
  oa('sambanova', 'https://api.sambanova.ai/v1', ['SAMBANOVA_API_KEY']),
  oa('deepinfra', 'https://api.deepinfra.com/v1/openai', ['DEEPINFRA_API_KEY']),
  oa('cohere', 'https://api.cohere.ai/compatibility/v1', ['COHERE_API_KEY', 'CO_API_KEY']),
  oa('parasail', 'https://api.parasail.io/v1', ['PARASAIL_API_KEY']),
  oa('nebius', 'https://api.studio.nebius.com/v1', ['NEBIUS_API_KEY']),
  oa('fireworks', 'https://api.fireworks.ai/inference/v1', ['FIREWORKS_API_KEY']),
  oa('embercloud', 'https://api.embercloud.ai/v1', ['EMBERCLOUD_API_KEY']),
  oa('cerebras', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY']),
  oa('targon', 'https://api.targon.com/v1', ['TARGON_API_KEY']),
  oa('gmicloud', 'https://api.gmi-serving.com/v1', ['GMI_API_KEY']),
  oa('chutes', 'https://llm.chutes.ai/v1', ['CHUTES_API_KEY']),
  oa('baseten', 'https://inference.baseten.co/v1', ['BASETEN_API_KEY']),
  oa('moonshot', 'https://api.moonshot.ai/v1', ['MOONSHOT_API_KEY']),
];

/** Provider ids as `@pydantic/genai-prices` names them, where ours differ. */
const PRICE_PROVIDER_ID: Readonly<Record<string, string>> = {
  googleOpenaiCompatible: 'google',
  moonshot: 'moonshotai',
  xai: 'x-ai',
};

/** Our provider key as `@pydantic/genai-prices` names the provider. */
export const priceProviderId = (key: string): string => PRICE_PROVIDER_ID[key] ?? key;
