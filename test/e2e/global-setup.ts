/**
 * Starts the provider simulators and a real `lava-desktop serve` (the built app) in a fresh data
 * dir whose saved settings point the providers at the simulators, so keys stay editable from the
 * dashboard. Tests get the URLs and the admin token through the environment.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators } from '../simulators/index.js';

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
  const bin = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // A temporary HOME: attribution reads agents' session files there and Connect writes there, never the machine's own.
    env: {
      ...process.env,
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      HOME: dir,
      CLAUDE_CONFIG_DIR: undefined,
      CODEX_HOME: undefined,
      XDG_CONFIG_HOME: undefined,
    },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
  const info = JSON.parse(readFileSync(join(dir, 'gateway.json'), 'utf8')) as { adminToken: string };
  process.env.E2E_URL = url;
  process.env.E2E_TOKEN = info.adminToken;
  process.env.E2E_OPENAI_SIM = sims.openai.url;
  process.env.E2E_DATA_DIR = dir;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sims.close();
    await rm(dir, { recursive: true, force: true });
  };
}
