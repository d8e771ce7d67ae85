/**
 * Each tool's config writer on saved real-shaped config files: the edited keys hold the tagged
 * URLs, every other line is byte-identical, comments stay, a second apply changes nothing,
 * remove(apply(x)) is x, and a user's later edit survives the undo.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffLines } from 'diff';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { parse as parseJsonc } from 'jsonc-parser';
import { TOOLS, toolById } from '../../src/connect/tools/index.js';
import { FORMATS } from '../../src/connect/formats.js';
import { CURSOR_NOTE } from '../../src/connect/snippets.js';
import type { Texts } from '../../src/connect/edit.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/connect/${name}`, import.meta.url), 'utf8');
const URL_ = 'http://127.0.0.1:5282';
const KEY = 'local-key-0123456789';

const FIXTURES: Record<string, Texts> = {
  'claude-code': { settings: fx('claude-settings.json') },
  codex: { config: fx('codex-config.toml') },
  'gemini-cli': { env: fx('gemini.env'), settings: fx('gemini-settings.json') },
  opencode: { config: fx('opencode.jsonc') },
  aider: { config: fx('aider.conf.yml') },
};

/**
 * The lines the edit removed from the original: only lines that name an edited key, or a JSON
 * line that merely gained a comma before an added property.
 */
function removedLines(before: string, after: string): string[] {
  const added = diffLines(before, after)
    .filter((p) => p.added)
    .flatMap((p) => p.value.split('\n'));
  return diffLines(before, after)
    .filter((p) => p.removed)
    .flatMap((p) => p.value.split('\n').filter(Boolean))
    .filter((l) => !added.includes(`${l},`));
}

describe.each(Object.keys(FIXTURES))('%s on a real config file', (id) => {
  const tool = toolById(id);
  const texts = FIXTURES[id]!;

  it('keeps every other line byte for byte, and a second apply changes nothing', () => {
    const a = tool.apply(texts, { url: URL_ });
    for (const f of Object.keys(texts)) {
      const removed = removedLines(texts[f]!, a.texts[f]!);
      expect(
        removed.every((l) => /model_provider =|GEMINI_API_KEY/.test(l)),
        removed.join('\n'),
      ).toBe(true);
      FORMATS[tool.formats[f]!.format].check(a.texts[f]!, f);
    }
    const again = tool.apply(a.texts, { url: URL_ }, a.changes);
    expect(again.texts).toEqual(a.texts);
    expect(again.changes).toEqual(a.changes);
  });

  it('remove(apply(x)) is x, with and without a local key, and on absent files', () => {
    for (const opts of [{ url: URL_ }, { url: URL_, localKey: KEY }]) {
      const a = tool.apply(texts, opts);
      expect(tool.remove(a.texts, a.changes)).toEqual(texts);
      const none = Object.fromEntries(Object.keys(texts).map((f) => [f, undefined]));
      const b = tool.apply(none, opts);
      expect(tool.remove(b.texts, b.changes)).toEqual(none);
    }
  });

  it('a new URL updates in place and keeps what the first connect replaced', () => {
    const a = tool.apply(texts, { url: URL_ });
    const b = tool.apply(a.texts, { url: 'http://127.0.0.1:6000' }, a.changes);
    expect(Object.values(b.texts).join('\n')).toContain('127.0.0.1:6000/@');
    expect(Object.values(b.texts).join('\n')).not.toContain('5282/@');
    expect(tool.remove(b.texts, b.changes)).toEqual(texts);
  });
});

describe('what each tool is given', () => {
  it('Claude Code: tagged ANTHROPIC_BASE_URL in env, the local key as a header, other env kept', () => {
    const a = toolById('claude-code').apply(FIXTURES['claude-code']!, { url: URL_, localKey: KEY });
    const s = JSON.parse(a.texts.settings!) as { env: Record<string, string>; hooks: unknown; permissions: unknown };
    expect(s.env).toEqual({
      CLAUDE_CODE_ENABLE_TELEMETRY: '0',
      BASH_DEFAULT_TIMEOUT_MS: '120000',
      ANTHROPIC_BASE_URL: `${URL_}/@claude-code/anthropic`,
      ANTHROPIC_CUSTOM_HEADERS: `x-lava-desktop-key: ${KEY}`,
    });
    expect(s.env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(a.notes.join(' ')).toContain('--statusline');
  });

  it('Claude Code: --statusline sets it unless the user has one', () => {
    const tool = toolById('claude-code');
    const a = tool.apply(
      { settings: undefined },
      { url: URL_, statusLine: '/usr/bin/node /x/bin/lava-desktop.js statusline' },
    );
    expect(JSON.parse(a.texts.settings!).statusLine).toEqual({
      type: 'command',
      command: '/usr/bin/node /x/bin/lava-desktop.js statusline',
    });
    // A later connect without the flag keeps it (it is ours).
    const b = tool.apply(a.texts, { url: URL_ }, a.changes);
    expect(b.texts).toEqual(a.texts);
    const mine = '{\n  "statusLine": { "type": "command", "command": "ccusage statusline" }\n}\n';
    const c = tool.apply({ settings: mine }, { url: URL_, statusLine: 'node x statusline' });
    expect(JSON.parse(c.texts.settings!).statusLine.command).toBe('ccusage statusline');
    expect(c.notes.join(' ')).toContain('status line of yours');
  });

  it('Codex: its own provider block, the old model_provider remembered, auth left to its login', () => {
    const a = toolById('codex').apply(FIXTURES.codex!, { url: URL_, localKey: KEY });
    const c = parseToml(a.texts.config!) as {
      model_provider: string;
      model_providers: Record<string, { base_url?: string }>;
    };
    expect(c.model_provider).toBe('lava-desktop');
    expect(c.model_providers['lava-desktop']).toEqual({
      name: 'Lava Desktop',
      base_url: `${URL_}/@codex/openai/v1`,
      wire_api: 'responses',
      requires_openai_auth: true,
      http_headers: { 'x-lava-desktop-key': KEY },
    });
    expect(c.model_providers['ollama-remote']!.base_url).toBe('http://nas.local:11434/v1');
    expect(a.texts.config).toContain('[model_providers.lava-desktop]\nname = "Lava Desktop"');
    expect(a.texts.config).toContain('model_reasoning_effort = "high"   # low | medium | high');
    expect(a.changes.find((x) => x.path[0] === 'model_provider')).toMatchObject({ had: true, old: 'openai' });
  });

  it('Gemini CLI: base URL in .env, API-key auth chosen only when none is', () => {
    const tool = toolById('gemini-cli');
    const a = tool.apply(FIXTURES['gemini-cli']!, { url: URL_ });
    expect(a.texts.env).toContain(`GOOGLE_GEMINI_BASE_URL=${URL_}/@gemini-cli/google\n`);
    expect(a.texts.env!.startsWith(FIXTURES['gemini-cli']!.env!)).toBe(true);
    expect(JSON.parse(a.texts.settings!).security.auth.selectedType).toBe('gemini-api-key');
    const oauth = fx('gemini-settings-oauth.json');
    const b = tool.apply({ env: undefined, settings: oauth }, { url: URL_ });
    expect(b.texts.settings).toBe(oauth);
    expect(b.notes.join(' ')).toContain('signed in with Google');
    expect(b.notes.join(' ')).toContain('GEMINI_API_KEY');
  });

  it('opencode: both providers through the gateway, comments and other providers kept', () => {
    const a = toolById('opencode').apply(FIXTURES.opencode!, { url: URL_ });
    const c = parseJsonc(a.texts.config!) as { provider: Record<string, { options: { baseURL: string } }> };
    expect(c.provider.anthropic!.options.baseURL).toBe(`${URL_}/@opencode/anthropic/v1`);
    expect(c.provider.openai!.options.baseURL).toBe(`${URL_}/@opencode/openai/v1`);
    expect(c.provider.ollama!.options.baseURL).toBe('http://localhost:11434/v1');
    expect(a.texts.config).toContain('// my usual model');
    expect(a.texts.config).toContain('/* a local model server */');
  });

  it('aider: openai-api-base and an ANTHROPIC_BASE_URL entry in set-env, comments kept', () => {
    const a = toolById('aider').apply(FIXTURES.aider!, { url: URL_, localKey: KEY });
    const c = parseYaml(a.texts.config!) as Record<string, unknown>;
    expect(c['openai-api-base']).toBe(`${URL_}/@aider/openai/v1`);
    expect(c['set-env']).toEqual(['OPENAI_ORGANIZATION=org-example', `ANTHROPIC_BASE_URL=${URL_}/@aider/anthropic`]);
    expect(c['openai-api-key']).toBe(KEY);
    expect(a.texts.config).toContain('  - OPENAI_ORGANIZATION=org-example   # my org\n');
    expect(a.texts.config).toContain('#model-settings-file: .aider.model.settings.yml');
  });

  it('Cursor is listed but never writable', () => {
    const c = TOOLS.find((t) => t.id === 'cursor')!;
    expect(c.canConnect).toBe(false);
    expect(c.note).toBe(CURSOR_NOTE);
    expect(c.apply({}, { url: URL_ }).texts).toEqual({});
  });
});

describe('undo after the user edited the file', () => {
  it('takes out only what connect added; another key the user changed stays', () => {
    const tool = toolById('claude-code');
    const orig = FIXTURES['claude-code']!;
    const a = tool.apply(orig, { url: URL_ });
    const edited = a.texts.settings!.replace('"model": "opus"', '"model": "sonnet"');
    expect(tool.remove({ settings: edited }, a.changes).settings).toBe(orig.settings!.replace('"opus"', '"sonnet"'));
  });

  it('a key of ours the user changed is left as the user has it; replaced values come back', () => {
    const tool = toolById('codex');
    const a = tool.apply(FIXTURES.codex!, { url: URL_ });
    const edited = a.texts.config!.replace(
      'base_url = "http://127.0.0.1:5282/@codex/openai/v1"',
      'base_url = "http://elsewhere/v1"',
    );
    const back = tool.remove({ config: edited }, a.changes).config!;
    expect(back).toContain('model_provider = "openai"\n');
    expect(back).toContain('base_url = "http://elsewhere/v1"');
  });

  it('aider: the entry is removed from set-env, the user’s own entries stay', () => {
    const tool = toolById('aider');
    const a = tool.apply(FIXTURES.aider!, { url: URL_ });
    const edited = a.texts.config!.replace('dark-mode: true', 'dark-mode: false');
    expect(tool.remove({ config: edited }, a.changes).config).toBe(
      FIXTURES.aider!.config!.replace('dark-mode: true', 'dark-mode: false'),
    );
  });
});

describe('files that do not parse', () => {
  it.each([
    ['json', '{\n  "env": {\n    "A": 1,,\n  }\n}\n', 3],
    ['toml', 'model = "x"\nmodel_provider = = "y"\n', 2],
    ['yaml', 'model: sonnet\nread: x\nmodel: opus\n', 3],
  ] as const)('%s: one error naming the file and line', (format, text, line) => {
    expect(() => FORMATS[format].check(text, '/home/me/file')).toThrow(new RegExp(`^/home/me/file:${line}: not valid`));
  });
});
