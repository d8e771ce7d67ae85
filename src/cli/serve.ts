/** `lava-desktop serve`: the gateway and dashboard, headless. */
import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parse, intFlag } from './args.js';
import { configFromEnv, readJsonObject, resolveConfig } from '../config.js';
import { defaultDataDir, readSavedLayers } from '../data-dir.js';
import { startGateway, type CloseResult } from '../index.js';
import { VERSION } from '../version.js';

export const SERVE_HELP = `Usage: lava-desktop serve [--port N] [--host H] [--data-dir DIR] [--config FILE]

Runs the metering gateway and the dashboard in the foreground.
  --port N         port to listen on (default 5282, or "port" in config; 0 = any free port)
  --host H         address to bind (default 127.0.0.1; anything else is reachable from other machines)
  --data-dir DIR   where records and settings live (default: the OS app-data folder, or LAVA_DESKTOP_DATA_DIR)
  --config FILE    a JSON config file (see README: Configuration)
Stops cleanly on Ctrl-C / SIGTERM.`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function serve(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' } },
    'serve',
  );
  if (values.help) {
    console.log(SERVE_HELP);
    return 0;
  }
  const port = intFlag(values.port, 'port', 0, 65535);
  const host = values.host ?? '127.0.0.1';
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const layers = {
    ...readSavedLayers(dataDir),
    file: values.config ? readJsonObject(resolve(values.config)) : undefined,
    env: configFromEnv(process.env),
    flags: port === undefined ? undefined : { port },
  };
  const config = resolveConfig(layers);
  warnIfReadable(join(dataDir, 'secrets.json'));
  if (!LOOPBACK.has(host)) {
    console.error(`warning: listening on ${host}: other machines can reach this gateway and spend with your keys`);
  }
  // Signal handlers first: a SIGTERM that arrives while the gateway starts (or right after its start line) must stop
  // it cleanly, not kill it with the default action.
  let stopWith: ((sig: NodeJS.Signals) => void) | undefined;
  let early: NodeJS.Signals | undefined;
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    if (stopWith) stopWith(sig);
    else early = sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const gw = await startGateway({ layers, dataDir, host, port: port ?? config.port });
  console.log(`Lava Desktop ${VERSION} gateway on ${gw.url} — dashboard: ${gw.url}/#token=${gw.adminToken}`);
  console.error(`data dir: ${dataDir}`);
  const result = await new Promise<CloseResult>((done) => {
    stopWith = (sig) => {
      console.error(`${sig}: finishing in-flight requests and flushing the store…`);
      void gw.stop(5000).then(done);
    };
    if (early) stopWith(early);
  });
  if (result.unwritten === 0) return 0;
  console.error(
    result.savedTo
      ? `lava-desktop: ${result.unwritten} records could not be written to ${dataDir} (${result.error}); saved them to ${result.savedTo} (the next start stores them)`
      : `lava-desktop: ${result.unwritten} records could not be written to ${dataDir} (${result.error}) nor saved anywhere else: they are lost`,
  );
  return 1;
}

/** Keys in a file other users can read are keys other users have: say so (the gateway still starts). */
function warnIfReadable(file: string): void {
  try {
    if (process.platform !== 'win32' && statSync(file).mode & 0o077) {
      console.error(`warning: ${file} is readable by other users; run: chmod 600 '${file}'`);
    }
  } catch {
    // no secrets file
  }
}
