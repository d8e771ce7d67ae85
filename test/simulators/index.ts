/** Starts every simulator a gateway test needs and says where each one is. */
import { startAnthropic, type AnthropicSim } from './anthropic.js';
import { startElevenLabs } from './elevenlabs.js';
import { startGemini, type GeminiSim } from './gemini.js';
import type { Simulator } from './http-util.js';
import { startLava, type LavaSim } from './lava.js';
import { startOpenAi, type OpenAiSim } from './openai.js';

export interface Simulators {
  openai: OpenAiSim;
  anthropic: AnthropicSim;
  gemini: GeminiSim;
  elevenlabs: Simulator;
  lava: LavaSim;
  close(): Promise<void>;
}

export async function startSimulators(): Promise<Simulators> {
  const [openai, anthropic, gemini, elevenlabs] = await Promise.all([
    startOpenAi(),
    startAnthropic(),
    startGemini(),
    startElevenLabs(),
  ]);
  const lava = await startLava({
    'api.openai.com': openai.url,
    'api.anthropic.com': anthropic.url,
    'generativelanguage.googleapis.com': gemini.url,
  });
  return {
    openai,
    anthropic,
    gemini,
    elevenlabs,
    lava,
    close: async () => {
      await Promise.all([openai, anthropic, gemini, elevenlabs, lava].map((s) => s.close()));
    },
  };
}
