/**
 * Codex CLI: a `[model_providers.lava-desktop]` block in `~/.codex/config.toml` (or
 * `$CODEX_HOME`) and `model_provider = "lava-desktop"` (the old value is put back by disconnect;
 * `openai`, `ollama`, `lmstudio` and `oss` are ids Codex keeps for itself). Auth stays what the
 * user has: `requires_openai_auth` makes Codex send its own login (API key or ChatGPT sign-in)
 * as it does to OpenAI, where `env_key` would fail for everyone without that variable. The local
 * key, when required, goes in a header beside it.
 */
import { join } from 'node:path';
import { defineTool, tagged, type Env } from './define.js';

export const CODEX_PROVIDER = 'lava-desktop';

const dir = (home: string, env: Env = {}) => env.CODEX_HOME ?? join(home, '.codex');

export const codex = defineTool({
  id: 'codex',
  name: 'Codex CLI',
  binary: 'codex',
  canConnect: true,
  dir,
  main: 'config',
  files: (home, env) => ({ config: { path: join(dir(home, env), 'config.toml'), format: 'toml' } }),
  formats: { config: { format: 'toml' } },
  plan(opts) {
    const provider: Record<string, unknown> = {
      name: 'Lava Desktop',
      base_url: tagged(opts.url, 'codex', 'openai/v1'),
      wire_api: 'responses',
      requires_openai_auth: true,
    };
    if (opts.localKey) provider.http_headers = { 'x-lava-desktop-key': opts.localKey };
    return {
      settings: [
        { file: 'config', path: ['model_provider'], value: CODEX_PROVIDER },
        { file: 'config', path: ['model_providers', CODEX_PROVIDER], value: provider },
      ],
      notes: [],
    };
  },
});
