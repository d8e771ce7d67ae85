/**
 * Real coding agents, connected by `lava-desktop connect` alone: a temporary HOME and data dir, a
 * real `serve` on port 0 in front of the simulators, `connect <tool>`, then the agent run
 * non-interactively with no base-URL variable set; its request must arrive as a record with
 * `tool` = the tool id, and `disconnect` must leave its config files byte-identical. Claude Code
 * and Codex run in a git repo on a named branch: their records must get `project`, `branch` and
 * `session` from the agents' own session files. Claude Code signed in with a plan token keeps it
 * although the gateway has an Anthropic key. An agent whose binary is not installed is skipped,
 * saying so.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type Simulators } from '../simulators/index.js';
import { baseConfig, KEYS } from './harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/lava-desktop.js');
const NM = join(ROOT, 'node_modules');
const PLATFORM = `${process.platform}-${process.arch}`;

/** Each agent's own binary, as its platform package ships it (npm 11 does not run their postinstall). */
function codexBinary(): string | undefined {
  const vendor = join(NM, '@openai', `codex-${PLATFORM}`, 'vendor');
  if (!existsSync(vendor)) return undefined;
  return readdirSync(vendor)
    .map((d) => join(vendor, d, 'bin', 'codex'))
    .find((p) => existsSync(p));
}
const found = (p: string) => (existsSync(p) ? p : undefined);

interface Agent {
  id: string;
  pkg: string;
  /** The command to run (argv[0] and leading args), undefined when not installed. */
  command: () => string[] | undefined;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Config files (relative to HOME) that exist before connect, with their text. */
  files: Record<string, string>;
  /** Config files connect writes that are absent before (they must be absent after). */
  created: string[];
  /** Its records are attributed from its session files (run in a git repo on a named branch). */
  attributed?: boolean;
}

const BRANCH = 'feature/lava-42';

const AGENTS: Agent[] = [
  {
    id: 'claude-code',
    pkg: '@anthropic-ai/claude-code',
    command: () => [found(join(NM, '@anthropic-ai', `claude-code-${PLATFORM}`, 'claude'))!].filter(Boolean),
    args: ['-p', 'Say hi', '--output-format', 'json'],
    env: {
      ANTHROPIC_API_KEY: KEYS.anthropic,
      DISABLE_TELEMETRY: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
    files: { '.claude/settings.json': '{\n  "model": "sonnet",\n  "env": { "DISABLE_AUTOUPDATER": "1" }\n}\n' },
    created: [],
    attributed: true,
  },
  {
    id: 'codex',
    pkg: '@openai/codex',
    command: () => [codexBinary()!].filter(Boolean),
    args: ['exec', '--skip-git-repo-check', 'Say hi'],
    env: { CODEX_API_KEY: KEYS.openai, OPENAI_API_KEY: KEYS.openai },
    files: { '.codex/config.toml': '# mine\nmodel = "gpt-4o-mini"\n' },
    created: [],
    attributed: true,
  },
  {
    id: 'gemini-cli',
    pkg: '@google/gemini-cli',
    command: () => {
      const js = found(join(NM, '@google', 'gemini-cli', 'bundle', 'gemini.js'));
      return js ? [process.execPath, js] : [];
    },
    args: ['-p', 'Say hi', '-m', 'gemini-2.5-flash'],
    env: { GEMINI_API_KEY: KEYS.google, GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_CLI_NO_RELAUNCH: 'true' },
    files: {},
    created: ['.gemini/.env', '.gemini/settings.json'],
  },
  {
    id: 'opencode',
    pkg: 'opencode-ai',
    command: () => [found(join(NM, `opencode-${PLATFORM}`, 'bin', 'opencode'))!].filter(Boolean),
    args: ['run', 'Say hi', '--model', 'anthropic/claude-sonnet-4-5'],
    env: {
      ANTHROPIC_API_KEY: KEYS.anthropic,
      OPENAI_API_KEY: KEYS.openai,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1',
    },
    // opencode adds "$schema" to a config file without one: given here, so the file is the user's alone.
    files: {
      '.config/opencode/opencode.json':
        '{\n  "$schema": "https://opencode.ai/config.json",\n  "autoupdate": false\n}\n',
    },
    created: [],
  },
];

const BASE_URL_VARS = ['ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL', 'OPENAI_API_BASE', 'GOOGLE_GEMINI_BASE_URL'];

/** A clean environment: the test's HOME, no tool dir overrides, no base URL, vendors' hosts refused. */
function envFor(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const k of [...BASE_URL_VARS, 'XDG_CONFIG_HOME', 'CODEX_HOME', 'CLAUDE_CONFIG_DIR', 'LAVA_DESKTOP_DATA_DIR'])
    delete e[k];
  // Anything but the gateway goes to a port that refuses at once (the agents' update and telemetry calls).
  return { ...e, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' };
}

function serve(config: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+) /.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
}

/** Runs an agent with stdin closed (Codex and opencode read a prompt from an open stdin) and a time limit. */
function runAgent(cmd: string[], args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(cmd[0]!, [...cmd.slice(1), ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

type Rec = {
  tool?: string | null;
  path: string;
  status: number;
  project?: string | null;
  branch?: string | null;
  session?: string | null;
  billing?: string | null;
};

async function records(url: string, adminToken: string): Promise<Rec[]> {
  const res = await fetch(`${url}/api/requests?limit=50`, { headers: { authorization: `Bearer ${adminToken}` } });
  return ((await res.json()) as { data: Rec[] }).data;
}

/** A git repo with one commit on BRANCH. */
async function gitRepo(dir: string): Promise<void> {
  const git = (...args: string[]) => promisify(execFile)('git', args, { cwd: dir });
  await git('init', '-q', '-b', BRANCH);
  await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init');
}

/** The agent's model requests get the repo as project, its branch and a session (within attribution's wait). */
async function expectAttributed(url: string, adminToken: string, tool: string, project: string): Promise<void> {
  let mine: Rec[] = [];
  for (let i = 0; i < 100; i++) {
    mine = (await records(url, adminToken)).filter((r) => r.tool === tool && r.status === 200);
    if (mine.length && mine.every((r) => r.project)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(mine.length).toBeGreaterThan(0);
  for (const r of mine) expect(r, JSON.stringify(mine)).toMatchObject({ project, branch: BRANCH });
  for (const r of mine) expect(r.session).toMatch(/^[0-9a-f-]{36}$/);
}

const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { env, timeout: 30_000 });

let sims: Simulators;
beforeAll(async () => {
  sims = await startSimulators();
});
afterAll(() => sims.close());

describe.each(AGENTS)('$id, connected by lava-desktop connect', (agent) => {
  const cmd = agent.command();
  const missing = !cmd?.length;
  it(`sends its request through the gateway as tool "${agent.id}"; disconnect restores its files`, async (ctx) => {
    if (missing) return ctx.skip(`${agent.pkg} is not installed (no platform binary in node_modules)`);
    const dir = await mkdtemp(join(tmpdir(), `lava-agent-${agent.id}-`));
    const home = join(dir, 'home');
    const work = join(dir, 'work');
    const dataDir = join(dir, 'data');
    await mkdir(work, { recursive: true });
    if (agent.attributed) await gitRepo(work);
    for (const [rel, text] of Object.entries(agent.files)) {
      await mkdir(join(home, rel, '..'), { recursive: true });
      await writeFile(join(home, rel), text);
    }
    await mkdir(home, { recursive: true });
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(baseConfig(sims)));
    const env = envFor(home, agent.env);
    const { child, url } = await serve(config, dataDir, env);
    try {
      await cli(env, 'connect', agent.id, '--data-dir', dataDir);
      const run = await runAgent(cmd!, agent.args, env, work);
      const { adminToken } = JSON.parse(await readFile(join(dataDir, 'gateway.json'), 'utf8')) as {
        adminToken: string;
      };
      let recs: Rec[] = [];
      for (let i = 0; i < 50 && !recs.some((r) => r.tool === agent.id); i++) {
        recs = await records(url, adminToken);
        if (!recs.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(
        recs.map((r) => `${r.tool} ${r.path} ${r.status}`),
        JSON.stringify(run).slice(0, 2000),
      ).toContainEqual(expect.stringMatching(new RegExp(`^${agent.id} `)));
      if (agent.attributed) await expectAttributed(url, adminToken, agent.id, realpathSync(work));
      await cli(env, 'disconnect', agent.id, '--data-dir', dataDir);
      for (const [rel, text] of Object.entries(agent.files)) expect(await readFile(join(home, rel), 'utf8')).toBe(text);
      for (const rel of agent.created)
        expect(
          existsSync(join(home, rel)),
          existsSync(join(home, rel)) ? await readFile(join(home, rel), 'utf8') : '',
        ).toBe(false);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('Claude Code signed in with a Claude plan', () => {
  const cmd = AGENTS[0]!.command();
  it('keeps its plan token although the gateway has an Anthropic key: billed subscription', async (ctx) => {
    if (!cmd?.length)
      return ctx.skip('@anthropic-ai/claude-code is not installed (no platform binary in node_modules)');
    const dir = await mkdtemp(join(tmpdir(), 'lava-agent-plan-'));
    const home = join(dir, 'home');
    const dataDir = join(dir, 'data');
    await mkdir(join(dir, 'work'), { recursive: true });
    await mkdir(home, { recursive: true });
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify(baseConfig(sims)));
    const token = 'sk-ant-oat01-test-claude-plan-token-0123456789';
    // Signed in with the plan's token only: no API key of its own.
    const env = envFor(home, { ...AGENTS[0]!.env, ANTHROPIC_API_KEY: undefined, CLAUDE_CODE_OAUTH_TOKEN: token });
    const { child, url } = await serve(config, dataDir, env);
    try {
      await cli(env, 'connect', 'claude-code', '--data-dir', dataDir);
      const seen = sims.anthropic.received.length;
      const run = await runAgent(cmd, AGENTS[0]!.args, env, join(dir, 'work'));
      const { adminToken } = JSON.parse(await readFile(join(dataDir, 'gateway.json'), 'utf8')) as {
        adminToken: string;
      };
      let mine: Rec[] = [];
      for (let i = 0; i < 50 && !mine.length; i++) {
        mine = (await records(url, adminToken)).filter((r) => r.tool === 'claude-code' && r.status === 200);
        if (!mine.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(mine.length, JSON.stringify(run).slice(0, 2000)).toBeGreaterThan(0);
      for (const r of mine) expect(r.billing).toBe('subscription');
      const got = sims.anthropic.received.slice(seen).filter((r) => r.url.startsWith('/v1/messages'));
      expect(got.length).toBeGreaterThan(0);
      for (const r of got) {
        expect(r.headers.authorization).toBe(`Bearer ${token}`);
        expect(r.headers['x-api-key']).toBeUndefined();
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
