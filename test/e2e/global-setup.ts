/**
 * Starts the provider simulators and a real `lava-desktop serve` (the built app) in a fresh data
 * dir whose saved settings point the providers at the simulators, so keys stay editable from the
 * dashboard. Tests get the URLs and the admin token through the environment.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators } from '../simulators/index.js';
import { startOwnGateway } from './own-gateway.js';

export default async function globalSetup() {
  const sims = await startSimulators();
  const dir = await mkdtemp(join(tmpdir(), 'lava-e2e-'));
  await writeFile(
    join(dir, 'settings.json'),
    JSON.stringify({
      providers: {
        openai: { origin: sims.openai.url },
        anthropic: { origin: sims.anthropic.url },
        google: { origin: sims.gemini.url },
      },
    }),
  );
  await writeFile(
    join(dir, 'secrets.json'),
    JSON.stringify({
      providers: { openai: { apiKey: 'sk-e2e-initial-key-0001' }, anthropic: { apiKey: 'sk-ant-e2e-key-0001' } },
    }),
    { mode: 0o600 },
  );
  // A temporary HOME: attribution reads agents' session files there and Connect writes there, never the machine's own.
  const { url, token, stop } = await startOwnGateway({ dataDir: dir, home: dir });
  process.env.E2E_URL = url;
  process.env.E2E_TOKEN = token;
  process.env.E2E_OPENAI_SIM = sims.openai.url;
  process.env.E2E_DATA_DIR = dir;
  return async () => {
    await stop();
    await sims.close();
    await rm(dir, { recursive: true, force: true });
  };
}
