/**
 * Claude Code: `env` in `~/.claude/settings.json` (or `$CLAUDE_CONFIG_DIR`). The local key goes in
 * a header, not as an API key, so a Claude plan sign-in stays a plan sign-in; `--statusline` also
 * sets its status line to `lava-desktop statusline` unless the user has one.
 */
import { join } from 'node:path';
import { defineTool, tagged, type Env } from './define.js';
import type { Setting } from '../edit.js';

const KEY_HEADER = 'x-lava-desktop-key';

const isOurs = (v: unknown): boolean =>
  !!v &&
  typeof v === 'object' &&
  / statusline$/.test(String((v as { command?: unknown }).command)) &&
  String((v as { command?: unknown }).command).includes('lava-desktop');

/** The user's own custom headers, with ours (replacing an older local key) at the end. */
function headers(current: unknown, key: string): string {
  const own =
    typeof current === 'string'
      ? current.split('\n').filter((l) => l.trim() && !l.toLowerCase().startsWith(`${KEY_HEADER}:`))
      : [];
  return [...own, `${KEY_HEADER}: ${key}`].join('\n');
}

const dir = (home: string, env: Env = {}) => env.CLAUDE_CONFIG_DIR ?? join(home, '.claude');

export const claudeCode = defineTool({
  id: 'claude-code',
  name: 'Claude Code',
  binary: 'claude',
  canConnect: true,
  dir,
  main: 'settings',
  files: (home, env) => ({ settings: { path: join(dir(home, env), 'settings.json'), format: 'json' } }),
  formats: { settings: { format: 'json' } },
  plan(opts, read) {
    const settings: Setting[] = [
      { file: 'settings', path: ['env', 'ANTHROPIC_BASE_URL'], value: tagged(opts.url, 'claude-code', 'anthropic') },
    ];
    const current = read('settings', ['env', 'ANTHROPIC_CUSTOM_HEADERS']);
    if (opts.localKey)
      settings.push({
        file: 'settings',
        path: ['env', 'ANTHROPIC_CUSTOM_HEADERS'],
        value: headers(current, opts.localKey),
      });
    const notes: string[] = [];
    const line = read('settings', ['statusLine']);
    if (opts.statusLine && (line === undefined || isOurs(line)))
      settings.push({ file: 'settings', path: ['statusLine'], value: { type: 'command', command: opts.statusLine } });
    else if (isOurs(line)) settings.push({ file: 'settings', path: ['statusLine'], value: line });
    else if (opts.statusLine) notes.push('Claude Code has a status line of yours already: left as it is.');
    else if (line === undefined)
      notes.push(
        "Add --statusline to show this session's spend, today's and the budget left in Claude Code's status line.",
      );
    return { settings, notes };
  },
});
