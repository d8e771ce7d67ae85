/** The connect snippets (src/connect/snippets.ts), shared by `env`, the Connect page and the tray. */
import { describe, expect, it } from 'vitest';
import { envVars, toolSnippet, toolSnippets } from '../../src/connect/snippets.js';

describe('connect snippets', () => {
  it('copies tool settings with the real URL', () => {
    expect(toolSnippet('claude-code', 'http://127.0.0.1:6000')).toBe(
      'export ANTHROPIC_BASE_URL=http://127.0.0.1:6000/anthropic',
    );
    expect(toolSnippet('codex', 'http://127.0.0.1:6000')).toContain('base_url = "http://127.0.0.1:6000/openai/v1"');
  });

  it('the env-based snippets say what `lava-desktop env --tool` exports', () => {
    const url = 'http://127.0.0.1:6000';
    for (const tool of ['claude-code', 'aider']) {
      const text = toolSnippet(tool, url)!;
      for (const [k, v] of envVars(url, tool)) expect(text).toContain(`export ${k}=${v}`);
    }
    expect(new Set(toolSnippets(url).map((s) => s.id)).size).toBe(toolSnippets(url).length);
  });
});
