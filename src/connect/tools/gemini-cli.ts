/**
 * Gemini CLI: `GOOGLE_GEMINI_BASE_URL` in `~/.gemini/.env` (its other lines kept), and, only when
 * no auth type is chosen yet, the API-key auth type in `~/.gemini/settings.json` (with the env
 * alone it picks a "gateway" auth type that its own check rejects). A Google sign-in
 * (`oauth-personal`) does not go through a base URL: said, never changed.
 */
import { join } from 'node:path';
import { defineTool, tagged, type Env, type Read } from './define.js';
import type { Setting } from '../edit.js';

export const GEMINI_OAUTH_NOTE =
  'Gemini CLI is signed in with Google (oauth-personal): that sign-in does not go through a base URL, so its requests will not reach the gateway until you choose the Gemini API key sign-in (/auth).';

const AUTH = ['security', 'auth', 'selectedType'];
const dir = (home: string, _env?: Env) => join(home, '.gemini');

/** The auth type chosen in its settings (the old flat key too). */
export const geminiAuth = (read: Read): unknown => read('settings', AUTH) ?? read('settings', ['selectedAuthType']);

export const geminiCli = defineTool({
  id: 'gemini-cli',
  name: 'Gemini CLI',
  binary: 'gemini',
  canConnect: true,
  dir,
  main: 'env',
  files: (home) => ({
    env: { path: join(dir(home), '.env'), format: 'dotenv' },
    settings: { path: join(dir(home), 'settings.json'), format: 'json' },
  }),
  formats: { env: { format: 'dotenv' }, settings: { format: 'json' } },
  doctorNotes: (read) => (geminiAuth(read) === 'oauth-personal' ? [GEMINI_OAUTH_NOTE] : []),
  plan(opts, read) {
    const settings: Setting[] = [
      { file: 'env', path: ['GOOGLE_GEMINI_BASE_URL'], value: tagged(opts.url, 'gemini-cli', 'google') },
    ];
    if (opts.localKey) settings.push({ file: 'env', path: ['GEMINI_API_KEY'], value: opts.localKey });
    const auth = geminiAuth(read);
    const notes: string[] = [];
    if (auth === undefined || (auth === 'gemini-api-key' && read('settings', AUTH) !== undefined))
      settings.push({ file: 'settings', path: AUTH, value: 'gemini-api-key' });
    if (auth === 'oauth-personal') notes.push(GEMINI_OAUTH_NOTE);
    notes.push('Gemini CLI reads ~/.gemini/.env only in folders you trust (or with GEMINI_CLI_TRUST_WORKSPACE=true).');
    if (!opts.localKey && read('env', ['GEMINI_API_KEY']) === undefined)
      notes.push('Gemini CLI needs GEMINI_API_KEY set (any value works when the gateway holds your Google key).');
    return { settings, notes };
  },
});
