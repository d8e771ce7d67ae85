/**
 * `lava-desktop login`: Lava's browser login (src/lava/login.ts); the secret key is saved to the
 * data dir's secrets.json (0600), never printed in full.
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { intFlag, parse, UsageError } from './args.js';
import { defaultDataDir, ensureDataDir, writeJsonAtomic } from '../data-dir.js';
import { deepMerge, readJsonObject } from '../config.js';
import { mask } from '../lib/redact.js';
import { DEFAULT_APP_URL, LoginError, openInBrowser, startBrowserLogin } from '../lava/login.js';

export const LOGIN_HELP = `Usage: lava-desktop login [--data-dir DIR] [--no-browser] [--timeout S]

Signs in to Lava in your browser and saves the returned secret key in <data-dir>/secrets.json (mode 0600).
  --no-browser   print the URL instead of opening a browser
  --timeout S    give up after S seconds (default 120)
  --app-url URL  Lava's web app (default https://www.lava.so, or LAVA_APP_URL)
  --api-url URL  Lava's API for the code exchange (default: chosen from the app URL, or LAVA_BASE_URL)`;

export async function login(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      'data-dir': { type: 'string' },
      'no-browser': { type: 'boolean' },
      timeout: { type: 'string' },
      'app-url': { type: 'string' },
      'api-url': { type: 'string' },
    },
    'login',
  );
  if (values.help) {
    console.log(LOGIN_HELP);
    return 0;
  }
  const timeoutS = intFlag(values.timeout, 'timeout', 1, 3600) ?? 120;
  const appUrl = values['app-url'] ?? process.env.LAVA_APP_URL ?? DEFAULT_APP_URL;
  if (!URL.canParse(appUrl)) throw new UsageError(`--app-url: "${appUrl}" is not a URL`);
  const apiUrl = values['api-url'] ?? process.env.LAVA_BASE_URL;
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  try {
    const flow = await startBrowserLogin({ appUrl, apiUrl, timeoutS });
    console.log(`Open this URL to log in to Lava: ${flow.url}`);
    if (!values['no-browser'])
      openInBrowser(flow.url, () => console.error('(could not open a browser: open the URL above yourself)'));
    const secretKey = await flow.done;
    const file = await saveSecret(dataDir, secretKey);
    console.log(`Logged in to Lava: secret key ${mask(secretKey)} saved to ${file}`);
    console.log('Restart a running gateway (lava-desktop serve) to use it.');
    return 0;
  } catch (e) {
    if (e instanceof LoginError) {
      console.error(
        `lava-desktop login: ${e.message.replace('start the login again', 'run lava-desktop login again')}`,
      );
      return 1;
    }
    throw e;
  }
}

async function saveSecret(dataDir: string, secretKey: string): Promise<string> {
  await ensureDataDir(dataDir);
  const file = join(dataDir, 'secrets.json');
  const current = existsSync(file) ? readJsonObject(file) : {};
  await writeJsonAtomic(file, deepMerge(current, { lava: { secretKey } }), 0o600);
  return file;
}
