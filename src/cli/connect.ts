/**
 * `lava-desktop connect <tool>`, `disconnect <tool>|--all` and `doctor`: point a coding agent at
 * the gateway by editing its own config (a diff of every change, a backup, idempotent), take it
 * back, and say per tool what is installed, connected and last seen.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { packagePath } from '../version.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './args.js';
import { defaultDataDir } from '../data-dir.js';
import { ConnectError } from '../connect/errors.js';
import { gatewayTarget } from '../connect/gateway-url.js';
import { agentStatuses, connectTool, disconnectTool, type Where } from '../connect/connector.js';
import { connectDir, readState } from '../connect/state.js';
import { TOOL_IDS, toolById } from '../connect/tools/index.js';

export const CONNECT_HELP = `Usage: lava-desktop connect <tool> [--dry-run] [--statusline] [--data-dir DIR]

Points a tool at the gateway by editing its own config file, and prints the change as a diff.
Tools: ${TOOL_IDS.join(', ')}
  --dry-run      print the change only, write nothing
  --statusline   (claude-code) also show this session's spend in Claude Code's status line
Undo it with: lava-desktop disconnect <tool>`;

export const DISCONNECT_HELP = `Usage: lava-desktop disconnect <tool>|--all [--dry-run] [--data-dir DIR]

Takes back what connect changed: the file's original bytes when it is unchanged since, otherwise
only what connect added (your own edits stay).`;

export const DOCTOR_HELP = `Usage: lava-desktop doctor [--json] [--data-dir DIR]

Per tool: installed or not, connected to this gateway or not, its config file, and the last
request the gateway saw from it.`;

const DATA_DIR = { 'data-dir': { type: 'string' } } as const;

function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]} (see lava-desktop ${command} --help)`);
  }
}

const where = (dataDir: string | undefined, dryRun?: boolean): Where => ({
  home: homedir(),
  dataDir: resolve(dataDir ?? defaultDataDir()),
  env: process.env,
  dryRun: !!dryRun,
});

const quote = (p: string) => (/[\s"'$`\\]/.test(p) ? JSON.stringify(p) : p);

/** This very program's `statusline` command, with absolute paths (Claude Code runs it from anywhere). */
const statusLineCommand = () => `${quote(process.execPath)} ${quote(packagePath('bin', 'lava-desktop.js'))} statusline`;

/** One tool id from the positionals (exit 2 otherwise). */
function oneTool(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command}: name one tool (${TOOL_IDS.join(', ')})`);
  const id = positionals[0]!;
  try {
    toolById(id);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
  return id;
}

/** A file that does not parse: one line naming it, exit 1; a tool that cannot connect: exit 2. */
function fail(command: string, e: unknown): number {
  if (!(e instanceof ConnectError)) throw e;
  if (e.kind !== 'parse') throw new UsageError(e.message);
  console.error(`lava-desktop ${command}: ${e.message}; nothing was written`);
  return 1;
}

export async function connect(argv: string[]): Promise<number> {
  const { values, positionals } = args(
    argv,
    { 'dry-run': { type: 'boolean' }, statusline: { type: 'boolean' }, ...DATA_DIR },
    'connect',
  );
  if (values.help) return (console.log(CONNECT_HELP), 0);
  const id = oneTool(positionals, 'connect');
  const w = where(values['data-dir'], values['dry-run']);
  const target = gatewayTarget(w.dataDir);
  const opts = { url: target.url, ...(target.localKey ? { localKey: target.localKey } : {}) };
  if (values.statusline && id === 'claude-code') Object.assign(opts, { statusLine: statusLineCommand() });
  const name = toolById(id).name;
  try {
    const prev = (await readState(w.dataDir)).tools[id];
    const r = await connectTool(id, opts, w);
    if (r.diff) process.stdout.write(r.diff);
    if (w.dryRun) console.log(r.changed ? '(dry run: nothing written)' : `${name}: nothing to change.`);
    else if (!r.changed && prev?.url === target.url) console.log(`${name} is already connected to ${target.url}.`);
    else console.log(`Connected ${name} to ${target.url} (originals kept in ${connectDir(w.dataDir)}).`);
    for (const n of r.notes) console.log(n);
    if (!target.running) console.log('The gateway is not running: start it with lava-desktop serve');
    return 0;
  } catch (e) {
    return fail('connect', e);
  }
}

export async function disconnect(argv: string[]): Promise<number> {
  const { values, positionals } = args(
    argv,
    { all: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...DATA_DIR },
    'disconnect',
  );
  if (values.help) return (console.log(DISCONNECT_HELP), 0);
  const w = where(values['data-dir'], values['dry-run']);
  if (values.all && positionals.length) throw new UsageError('disconnect: give one tool or --all, not both');
  const ids = values.all ? Object.keys((await readState(w.dataDir)).tools) : [oneTool(positionals, 'disconnect')];
  if (values.all && !ids.length) console.log('No tool is connected.');
  for (const id of ids) {
    const r = await disconnectTool(id, w);
    if (r.diff) process.stdout.write(r.diff);
    for (const n of r.notes) console.log(n);
    if (r.wasConnected) console.log(w.dryRun ? '(dry run: nothing written)' : `Disconnected ${toolById(id).name}.`);
  }
  return 0;
}

/** Per tool, the time of its latest request, from the running gateway (undefined when it does not answer). */
async function lastSeen(url: string, token: string): Promise<Map<string, string | null> | undefined> {
  try {
    const res = await fetch(`${url}/api/connect`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { agents?: { id: string; lastSeen?: string | null }[] };
    return new Map((body.agents ?? []).map((a) => [a.id, a.lastSeen ?? null]));
  } catch {
    return undefined;
  }
}

export async function doctor(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, { json: { type: 'boolean' }, ...DATA_DIR }, 'doctor');
  if (values.help) return (console.log(DOCTOR_HELP), 0);
  if (positionals.length) throw new UsageError(`doctor: unexpected argument "${positionals[0]}"`);
  const w = where(values['data-dir']);
  const target = gatewayTarget(w.dataDir);
  const seen = target.running && target.adminToken ? await lastSeen(target.url, target.adminToken) : undefined;
  const gateway = seen ? 'running' : target.running ? 'not answering' : 'gateway not running';
  const tools = (await agentStatuses(target.url, w)).map((s) => ({
    ...s,
    ...(seen ? { lastSeen: seen.get(s.id) ?? null } : {}),
  }));
  if (values.json) {
    console.log(JSON.stringify({ gateway: { url: target.url, state: gateway }, tools }, null, 2));
    return 0;
  }
  console.log(`Gateway ${target.url}: ${gateway}${target.running ? '' : ' (start it with: lava-desktop serve)'}`);
  for (const t of tools) {
    const state = !t.canConnect
      ? 'cannot connect'
      : t.connected
        ? 'connected'
        : t.changed
          ? 'changed since connect'
          : 'not connected';
    const last = !seen ? '' : t.lastSeen ? `, last request ${t.lastSeen}` : ', no request seen';
    console.log(`${t.id.padEnd(12)} ${(t.installed ? 'installed' : 'not installed').padEnd(14)} ${state}${last}`);
    if (t.file) console.log(`${' '.repeat(13)}${t.file}`);
    if (t.note) console.log(`${' '.repeat(13)}${t.note}`);
  }
  return 0;
}
