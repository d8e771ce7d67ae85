/**
 * opencode: `provider.anthropic.options.baseURL` and `provider.openai.options.baseURL` in
 * `~/.config/opencode/opencode.json` (or `opencode.jsonc`, under `$XDG_CONFIG_HOME` when set).
 * Its SDKs append the API's path to the base URL, so both end in `/v1`, as their defaults do.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineTool, tagged, type Env } from './define.js';
import type { Setting } from '../edit.js';

const dir = (home: string, env: Env = {}) => join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'opencode');

export const opencode = defineTool({
  id: 'opencode',
  name: 'opencode',
  binary: 'opencode',
  canConnect: true,
  dir,
  main: 'config',
  files(home, env) {
    const json = join(dir(home, env), 'opencode.json');
    const jsonc = join(dir(home, env), 'opencode.jsonc');
    return { config: { path: !existsSync(json) && existsSync(jsonc) ? jsonc : json, format: 'json' } };
  },
  formats: { config: { format: 'json' } },
  plan(opts) {
    const settings: Setting[] = [];
    for (const [id, route] of [
      ['anthropic', 'anthropic/v1'],
      ['openai', 'openai/v1'],
    ] as const) {
      settings.push({
        file: 'config',
        path: ['provider', id, 'options', 'baseURL'],
        value: tagged(opts.url, 'opencode', route),
      });
      if (opts.localKey)
        settings.push({ file: 'config', path: ['provider', id, 'options', 'apiKey'], value: opts.localKey });
    }
    return { settings, notes: [] };
  },
});
