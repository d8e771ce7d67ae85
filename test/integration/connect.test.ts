/**
 * The real `lava-desktop connect|disconnect|doctor` binary in a temporary HOME and data dir: diffs,
 * dry runs, backups, idempotence, byte-for-byte undo, partial undo after a user's edit, one-line
 * errors; and, with a running gateway, its URL, doctor's last request seen and /api/connect.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CURSOR_NOTE } from '../../src/connect/snippets.js';
import { startHarness, type Harness } from './harness.js';

const BIN = new URL('../../bin/lava-desktop.js', import.meta.url).pathname;
const fixture = (name: string) => readFile(new URL(`../fixtures/connect/${name}`, import.meta.url), 'utf8');

let home: string;
let dataDir: string;

/** The environment of a spawned command: this test's HOME, none of the tools' own dir variables. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, LAVA_DESKTOP_DATA_DIR: dataDir };
  for (const k of ['XDG_CONFIG_HOME', 'CODEX_HOME', 'CLAUDE_CONFIG_DIR', 'LAVA_DESKTOP_PORT']) delete e[k];
  return e;
}

const run = async (...args: string[]) => {
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env: env() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

async function put(rel: string, text: string): Promise<string> {
  const file = join(home, rel);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text);
  return file;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'lava-desktop-home-'));
  dataDir = await mkdtemp(join(tmpdir(), 'lava-desktop-data-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('connect and disconnect without a running gateway', () => {
  it('dry run prints the diff and writes nothing; connect writes, backs up, is idempotent; disconnect restores the bytes', async () => {
    const orig = await fixture('claude-settings.json');
    const file = await put('.claude/settings.json', orig);
    const dry = await run('connect', 'claude-code', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+    "ANTHROPIC_BASE_URL": "http://127.0.0.1:5282/@claude-code/anthropic"');
    expect(dry.stdout).toContain(`--- ${file}`);
    expect(dry.stdout).toContain('The gateway is not running');
    expect(await readFile(file, 'utf8')).toBe(orig);
    expect(existsSync(join(dataDir, 'connect'))).toBe(false);

    const first = await run('connect', 'claude-code');
    expect(first.stdout).toContain('Connected Claude Code to http://127.0.0.1:5282');
    const connected = await readFile(file, 'utf8');
    expect(JSON.parse(connected).env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:5282/@claude-code/anthropic');
    expect(await readFile(join(dataDir, 'connect', 'claude-code.settings.orig'), 'utf8')).toBe(orig);
    const state = JSON.parse(await readFile(join(dataDir, 'connect', 'state.json'), 'utf8'));
    expect(state.tools['claude-code'].files.settings.changes[0]).toMatchObject({
      path: ['env', 'ANTHROPIC_BASE_URL'],
      had: false,
    });

    const again = await run('connect', 'claude-code');
    expect(again.stdout).toContain('already connected');
    expect(again.stdout).not.toContain('+++');
    expect(await readFile(file, 'utf8')).toBe(connected);

    const off = await run('disconnect', 'claude-code');
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('-    "ANTHROPIC_BASE_URL"');
    expect(await readFile(file, 'utf8')).toBe(orig);
    expect(JSON.parse(await readFile(join(dataDir, 'connect', 'state.json'), 'utf8')).tools).toEqual({});
    expect((await run('disconnect', 'claude-code')).stdout).toContain('Claude Code is not connected.');
  });

  it('creates missing files and dirs (0600 with a key) and removes them again', async () => {
    await writeFile(
      join(dataDir, 'settings.json'),
      JSON.stringify({ port: 6123, security: { localKey: 'local-key-123456' } }),
    );
    const r = await run('connect', 'codex');
    expect(r.code).toBe(0);
    const file = join(home, '.codex', 'config.toml');
    expect(await readFile(file, 'utf8')).toContain('base_url = "http://127.0.0.1:6123/@codex/openai/v1"');
    expect(await readFile(file, 'utf8')).toContain('http_headers = { x-lava-desktop-key = "local-key-123456" }');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await run('disconnect', 'codex');
    expect(existsSync(join(home, '.codex'))).toBe(false);
  });

  it('a new gateway URL updates in place, keeping the first backup; --statusline sets an absolute command', async () => {
    const orig = await fixture('claude-settings.json');
    const file = await put('.claude/settings.json', orig);
    await run('connect', 'claude-code');
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ port: 6001 }));
    const r = await run('connect', 'claude-code', '--statusline');
    expect(r.stdout).toContain('-    "ANTHROPIC_BASE_URL": "http://127.0.0.1:5282/@claude-code/anthropic"');
    const s = JSON.parse(await readFile(file, 'utf8'));
    expect(s.env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:6001/@claude-code/anthropic');
    expect(s.statusLine.command).toBe(`${process.execPath} ${BIN} statusline`);
    expect(await readFile(join(dataDir, 'connect', 'claude-code.settings.orig'), 'utf8')).toBe(orig);
    await run('disconnect', 'claude-code');
    expect(await readFile(file, 'utf8')).toBe(orig);
  });

  it('after the user edited the file, takes out only what it added and puts back what it replaced', async () => {
    const orig = await fixture('codex-config.toml');
    const file = await put('.codex/config.toml', orig);
    await run('connect', 'codex');
    const edited = (await readFile(file, 'utf8')).replace('model = "o3"', 'model = "o4-mini"');
    await writeFile(file, edited);
    const off = await run('disconnect', 'codex');
    expect(off.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(orig.replace('model = "o3"', 'model = "o4-mini"'));
  });

  it('disconnect --all undoes every connected tool', async () => {
    const aider = await put('.aider.conf.yml', await fixture('aider.conf.yml'));
    const oc = await put('.config/opencode/opencode.jsonc', await fixture('opencode.jsonc'));
    for (const t of ['aider', 'opencode', 'gemini-cli']) expect((await run('connect', t)).code).toBe(0);
    expect(await readFile(oc, 'utf8')).toContain('/@opencode/anthropic/v1');
    expect(existsSync(join(home, '.config/opencode/opencode.json'))).toBe(false);
    const off = await run('disconnect', '--all');
    expect(off.stdout).toContain('Disconnected aider.');
    expect(off.stdout).toContain('Disconnected Gemini CLI.');
    expect(await readFile(aider, 'utf8')).toBe(await fixture('aider.conf.yml'));
    expect(await readFile(oc, 'utf8')).toBe(await fixture('opencode.jsonc'));
    expect(existsSync(join(home, '.gemini'))).toBe(false);
  });

  it('one-line errors: Cursor and unknown tools exit 2, a file that does not parse exits 1 and writes nothing', async () => {
    const cursor = await run('connect', 'cursor');
    expect(cursor.code).toBe(2);
    expect(cursor.stderr.trim()).toBe(`lava-desktop: ${CURSOR_NOTE}`);
    const unknown = await run('connect', 'vim');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown tool "vim"');
    expect((await run('connect')).code).toBe(2);
    const envFile = await put('.gemini/.env', 'GEMINI_API_KEY=x\n');
    const bad = await put('.gemini/settings.json', '{\n  "ui": {\n    "theme": "x",,\n  }\n}\n');
    const r = await run('connect', 'gemini-cli');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}:3: not valid JSON`);
    expect(await readFile(envFile, 'utf8')).toBe('GEMINI_API_KEY=x\n');
  });

  it('doctor says, per tool, installed, connected, changed since, and that the gateway is down', async () => {
    await put('.aider.conf.yml', 'model: sonnet\n');
    await put('.gemini/settings.json', await fixture('gemini-settings-oauth.json'));
    await run('connect', 'aider');
    await run('connect', 'claude-code');
    await writeFile(join(home, '.claude', 'settings.json'), '{}\n');
    const r = await run('doctor', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { gateway: { state: string }; tools: Record<string, unknown>[] };
    expect(out.gateway.state).toBe('gateway not running');
    const by = Object.fromEntries(out.tools.map((t) => [t.id, t]));
    expect(Object.keys(by)).toEqual(['claude-code', 'codex', 'gemini-cli', 'opencode', 'aider', 'cursor']);
    expect(by.aider).toMatchObject({ installed: true, connected: true, file: join(home, '.aider.conf.yml') });
    expect(by['claude-code']).toMatchObject({ connected: false, changed: true });
    expect(by.codex).toMatchObject({ connected: false, changed: false });
    expect(String(by['gemini-cli']!.note)).toContain('signed in with Google');
    expect(by.cursor).toMatchObject({ canConnect: false, note: CURSOR_NOTE });
    expect(by.aider!.lastSeen).toBeUndefined();
    expect((await run('doctor')).stdout).toContain('changed since connect');
  });
});

describe('with a running gateway', () => {
  let h: Harness;
  const saved = process.env.HOME;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    process.env.HOME = saved;
    await h.close();
  });

  it('the Gateway facade lists the tools connected to it and disconnects them (the app asks on quit)', async () => {
    process.env.HOME = home; // the facade edits this user's files: the test's HOME
    try {
      expect(await h.gw.connectedTools()).toEqual([]);
      expect((await run('connect', 'claude-code', '--data-dir', h.dataDir)).code).toBe(0);
      expect((await run('connect', 'codex', '--data-dir', h.dataDir)).code).toBe(0);
      expect(await h.gw.connectedTools()).toEqual([
        { id: 'claude-code', name: 'Claude Code' },
        { id: 'codex', name: 'Codex CLI' },
      ]);
      for (const t of await h.gw.connectedTools()) await h.gw.disconnect(t.id);
      expect(await h.gw.connectedTools()).toEqual([]);
      expect(existsSync(join(home, '.claude/settings.json'))).toBe(false);
      expect(existsSync(join(home, '.codex/config.toml'))).toBe(false);
    } finally {
      process.env.HOME = saved;
    }
  });

  it("connect uses the gateway's URL; doctor shows the last request seen from the tool", async () => {
    const r = await run('connect', 'opencode', '--data-dir', h.dataDir);
    expect(r.code).toBe(0);
    const cfg = await readFile(join(home, '.config/opencode/opencode.json'), 'utf8');
    expect(JSON.parse(cfg).provider.openai.options.baseURL).toBe(`${h.gw.url}/@opencode/openai/v1`);
    const res = await fetch(`${h.gw.url}/@opencode/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await h.records(1);
    const d = JSON.parse((await run('doctor', '--json', '--data-dir', h.dataDir)).stdout) as {
      gateway: { state: string };
      tools: { id: string; connected: boolean; lastSeen?: string | null }[];
    };
    expect(d.gateway.state).toBe('running');
    const oc = d.tools.find((t) => t.id === 'opencode')!;
    expect(oc.connected).toBe(true);
    expect(typeof oc.lastSeen).toBe('string');
    expect(d.tools.find((t) => t.id === 'codex')!.lastSeen).toBeNull();
    await run('disconnect', 'opencode', '--data-dir', h.dataDir);
  });

  it('/api/connect lists the agents; POST and DELETE connect and disconnect; errors are 400 and 409', async () => {
    process.env.HOME = home;
    const api = (method: string, path: string) =>
      fetch(`${h.gw.url}${path}`, { method, headers: { authorization: `Bearer ${h.ctx.adminToken}` } });
    const orig = await fixture('aider.conf.yml');
    const file = await put('.aider.conf.yml', orig);
    const on = (await (await api('POST', '/api/connect/aider')).json()) as {
      ok: boolean;
      changed: boolean;
      diff: string;
    };
    expect(on).toMatchObject({ ok: true, changed: true });
    expect(on.diff).toContain(`+openai-api-base: ${h.gw.url}/@aider/openai/v1`);
    const list = (await (await api('GET', '/api/connect')).json()) as {
      baseUrl: string;
      tools: unknown[];
      agents: { id: string; connected: boolean; lastSeen: string | null; canConnect: boolean }[];
    };
    expect(list.baseUrl).toBe(h.gw.url);
    expect(list.tools.length).toBeGreaterThan(0);
    expect(list.agents.find((a) => a.id === 'aider')).toMatchObject({ connected: true, lastSeen: null });
    expect(list.agents.find((a) => a.id === 'cursor')).toMatchObject({ canConnect: false });
    const off = (await (await api('DELETE', '/api/connect/aider')).json()) as { changed: boolean };
    expect(off.changed).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(orig);
    expect((await api('POST', '/api/connect/cursor')).status).toBe(400);
    expect((await api('POST', '/api/connect/nope')).status).toBe(400);
    await put('.claude/settings.json', '{ nope');
    const bad = await api('POST', '/api/connect/claude-code');
    expect(bad.status).toBe(409);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('settings.json:1');
  });
});
