/** The tool table against the User-Agents the tools really send (see src/metering/client.ts for their sources). */
import { describe, expect, it } from 'vitest';
import { clientOf, toolFor, toolOf } from '../../src/metering/client.js';

describe('tool from the User-Agent', () => {
  it.each([
    ['claude-cli/2.1.3 (external, cli)', 'claude-code'],
    ['claude-cli/2.1.328 (external, sdk-cli)', 'claude-code'],
    ['codex_cli_rs/0.50.0 (Mac OS 15.1.0; arm64) iTerm.app/3.5.0', 'codex'],
    ['codex_exec/0.169.0 (Debian 13; x86_64) dumb', 'codex'],
    ['codex-tui/0.170.0 (Ubuntu 24.04; x86_64) xterm', 'codex'],
    ['GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)', 'gemini-cli'],
    ['GeminiCLI-a2a-server/0.61.0/gemini-2.5-flash (darwin; arm64)', 'gemini-cli'],
    ['QwenCode/0.1.0 (linux; x64)', 'qwen-code'],
    ['opencode/1.18.0 ai-sdk/openai-compatible/1.0.3', 'opencode'],
    ['ai-sdk/anthropic/2.0.1 ai/5.0.2 ai-sdk/provider-utils/3.0.1 runtime/node.js/20', 'ai-sdk'],
    ['OpenAI/JS 6.2.0', 'openai-node'],
    ['AsyncOpenAI/Python 1.99.0', 'openai-python'],
    ['Anthropic/Python 0.50.0', 'anthropic-python'],
    ['google-genai-sdk/1.20.0 gl-node/v20.20.2', 'google-genai'],
    ['litellm/1.74.0', 'litellm'],
    ['curl/8.14.1', 'curl'],
  ])('%s → %s', (ua, tool) => {
    expect(toolOf(ua)).toBe(tool);
    expect(clientOf(ua)).toBe(tool);
  });

  it('an unknown User-Agent has no tool; its client is its first word', () => {
    expect(toolOf('MyScript/1.0')).toBeNull();
    expect(clientOf('MyScript/1.0')).toBe('myscript');
    expect(toolOf(undefined)).toBeNull();
    expect(clientOf(undefined)).toBe('unknown');
  });

  it('a tag naming a known tool wins; another tag leaves the User-Agent to decide', () => {
    expect(toolFor('aider', 'OpenAI/Python 1.99.0')).toBe('aider');
    expect(toolFor('goose', undefined)).toBe('goose');
    expect(toolFor('nightly', 'OpenAI/JS 6.2.0')).toBe('openai-node');
    expect(toolFor('nightly', undefined)).toBeNull();
  });
});
