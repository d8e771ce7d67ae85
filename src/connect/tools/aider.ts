/**
 * aider: `openai-api-base` in `~/.aider.conf.yml`, and the Anthropic base as an entry of its
 * `set-env` list (aider has no YAML key for it; LiteLLM reads `ANTHROPIC_BASE_URL`). With a local
 * key, it is aider's OpenAI and Anthropic API key (the only keys its YAML may hold).
 */
import { join } from 'node:path';
import { defineTool, tagged } from './define.js';
import type { Setting } from '../edit.js';

export const aider = defineTool({
  id: 'aider',
  name: 'aider',
  binary: 'aider',
  canConnect: true,
  dir: (home) => join(home, '.aider.conf.yml'),
  main: 'config',
  files: (home) => ({ config: { path: join(home, '.aider.conf.yml'), format: 'yaml' } }),
  formats: { config: { format: 'yaml' } },
  plan(opts) {
    const settings: Setting[] = [
      { file: 'config', path: ['openai-api-base'], value: tagged(opts.url, 'aider', 'openai/v1') },
      {
        file: 'config',
        path: ['set-env', { item: 'ANTHROPIC_BASE_URL' }],
        value: `ANTHROPIC_BASE_URL=${tagged(opts.url, 'aider', 'anthropic')}`,
      },
    ];
    if (opts.localKey)
      for (const k of ['openai-api-key', 'anthropic-api-key'])
        settings.push({ file: 'config', path: [k], value: opts.localKey });
    return { settings, notes: [] };
  },
});
