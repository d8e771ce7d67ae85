/**
 * Connect and disconnect on disk, for the CLI and the admin API: reads a tool's files, applies
 * or takes back its settings (edit.ts), prints each change as a unified diff, keeps the first
 * backup and the manifest (state.ts), and writes only when something changed (never with
 * `dryRun`). Doctor's per-tool status reads the same files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { writeAtomic, isNotFound } from '../lib/atomic-file.js';
import { checkTexts, reader, stillApplied, type FileSpec, type Texts } from './edit.js';
import { ConnectError } from './errors.js';
import { TOOLS, toolById, type ConnectOptions, type Tool } from './tools/index.js';
import {
  readBackup,
  readState,
  removeBackup,
  saveBackup,
  sha256,
  writeState,
  type FileState,
  type ToolState,
} from './state.js';

export interface Where {
  home: string;
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  dryRun?: boolean;
}

export interface Outcome {
  tool: string;
  /** Whether a file was (or, with dryRun, would be) changed. */
  changed: boolean;
  /** Unified diffs of every file changed, one after the other. */
  diff: string;
  notes: string[];
}

const readBytes = (file: string): Promise<Buffer | undefined> =>
  readFile(file).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });

async function readTexts(
  specs: Record<string, FileSpec>,
): Promise<{ texts: Texts; bytes: Record<string, Buffer | undefined> }> {
  const texts: Texts = {};
  const bytes: Record<string, Buffer | undefined> = {};
  for (const [id, spec] of Object.entries(specs)) {
    bytes[id] = await readBytes(spec.path);
    texts[id] = bytes[id]?.toString('utf8');
  }
  return { texts, bytes };
}

export const fileDiff = (path: string, before: string | undefined, after: string | undefined): string =>
  createTwoFilesPatch(
    before === undefined ? '/dev/null' : path,
    after === undefined ? '/dev/null' : path,
    before ?? '',
    after ?? '',
  );

/** Creates a file's missing directories; returns those created, outermost first. */
async function makeDirs(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  await mkdir(dir, { recursive: true });
  return missing;
}

async function writeText(path: string, text: string | undefined, secret: boolean): Promise<void> {
  if (text === undefined) return rm(path, { force: true });
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => (secret ? 0o600 : 0o644),
  );
  await writeAtomic(path, text, mode);
}

function connectable(id: string): Tool {
  const tool = toolById(id);
  if (!tool.canConnect) throw new ConnectError('cannot-connect', tool.note ?? `${tool.name} cannot be connected`);
  return tool;
}

/** Points a tool at the gateway at `opts.url`. */
export async function connectTool(id: string, opts: ConnectOptions, where: Where): Promise<Outcome> {
  const tool = connectable(id);
  const specs = tool.files(where.home, where.env);
  const { texts, bytes } = await readTexts(specs);
  checkTexts(specs, texts);
  const state = await readState(where.dataDir);
  const prev = state.tools[id];
  const {
    texts: next,
    changes,
    notes,
  } = tool.apply(
    texts,
    opts,
    Object.values(prev?.files ?? {}).flatMap((f) => f.changes),
  );
  const touched = Object.keys(specs).filter((f) => next[f] !== texts[f]);
  const diff = touched.map((f) => fileDiff(specs[f]!.path, texts[f], next[f])).join('');
  const out: Outcome = { tool: id, changed: touched.length > 0, diff, notes };
  if (where.dryRun || (!out.changed && prev?.url === opts.url)) return out;
  const files: Record<string, FileState> = {};
  for (const f of Object.keys(specs)) {
    const mine = changes.filter((c) => c.file === f);
    const before = prev?.files[f];
    if (!mine.length && !before) continue;
    const fs: FileState = before ?? { path: specs[f]!.path, backup: null, sha256: '', createdDirs: [], changes: [] };
    if (!before && touched.includes(f)) {
      if (bytes[f]) fs.backup = await saveBackup(where.dataDir, id, f, bytes[f]);
      else fs.createdDirs = await makeDirs(dirname(specs[f]!.path));
    }
    if (touched.includes(f)) await writeText(specs[f]!.path, next[f], !!(specs[f]!.secret || opts.localKey));
    files[f] = { ...fs, sha256: next[f] === undefined ? '' : sha256(next[f]), changes: mine };
  }
  state.tools[id] = { url: opts.url, connectedAt: prev?.connectedAt ?? new Date().toISOString(), files };
  await writeState(where.dataDir, state);
  return out;
}

/** What one file becomes on disconnect: its original bytes when unchanged since, else only ours taken out. */
async function undoFile(
  tool: Tool,
  where: Where,
  f: string,
  fs: FileState,
): Promise<{ before?: string; after?: string; bytes?: Buffer }> {
  const cur = await readBytes(fs.path);
  if (cur === undefined) return {};
  const before = cur.toString('utf8');
  if (sha256(before) === fs.sha256) {
    const bytes = fs.backup ? await readBackup(where.dataDir, fs.backup) : undefined;
    return { before, after: bytes?.toString('utf8'), bytes };
  }
  const after = tool.remove({ [f]: before }, fs.changes)[f];
  return { before, after, bytes: after === undefined ? undefined : Buffer.from(after) };
}

/** Puts bytes back atomically (a temp file renamed over it), keeping the file's mode. */
async function writeBytes(path: string, bytes: Buffer): Promise<void> {
  const mode = (await stat(path)).mode & 0o777;
  const tmp = join(dirname(path), `.lava-desktop-restore.${process.pid}.tmp`);
  await writeFile(tmp, bytes, { mode });
  await rename(tmp, path);
}

/** Removes the dirs connect created that are empty now, deepest first. */
async function removeDirs(dirs: string[]): Promise<void> {
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => undefined);
}

/** Takes a tool's connection back; a tool that is not connected is said so (not an error). */
export async function disconnectTool(id: string, where: Where): Promise<Outcome & { wasConnected: boolean }> {
  const tool = toolById(id);
  const state = await readState(where.dataDir);
  const ts: ToolState | undefined = state.tools[id];
  if (!ts)
    return { tool: id, changed: false, diff: '', notes: [`${tool.name} is not connected.`], wasConnected: false };
  let diff = '';
  const notes: string[] = [];
  for (const [f, fs] of Object.entries(ts.files)) {
    const { before, after, bytes } = await undoFile(tool, where, f, fs);
    if (before === undefined) {
      notes.push(`${fs.path} is gone: nothing to take back there.`);
      continue;
    }
    if (before !== after) diff += fileDiff(fs.path, before, after);
    if (where.dryRun) continue;
    if (bytes === undefined) await rm(fs.path, { force: true });
    else if (!bytes.equals(Buffer.from(before))) await writeBytes(fs.path, bytes);
  }
  if (!where.dryRun) {
    await removeDirs(Object.values(ts.files).flatMap((fs) => fs.createdDirs));
    for (const fs of Object.values(ts.files)) if (fs.backup) await removeBackup(where.dataDir, fs.backup);
    delete state.tools[id];
    await writeState(where.dataDir, state);
  }
  return { tool: id, changed: diff.length > 0, diff, notes, wasConnected: true };
}

export interface AgentStatus {
  id: string;
  name: string;
  installed: boolean;
  connected: boolean;
  /** Connected once, but the file no longer points at this gateway. */
  changed: boolean;
  file: string | null;
  canConnect: boolean;
  note: string | null;
}

const onPath = (binary: string, env: NodeJS.ProcessEnv): boolean =>
  (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((d) => ['', '.exe', '.cmd'].some((ext) => existsSync(join(d, binary + ext))));

/** Per tool: installed, connected to this gateway (`url`), its file and what to know. */
export async function agentStatuses(url: string, where: Where): Promise<AgentStatus[]> {
  const state = await readState(where.dataDir);
  const env = where.env ?? process.env;
  const out: AgentStatus[] = [];
  for (const tool of TOOLS) {
    const specs = tool.files(where.home, env);
    const { texts } = await readTexts(specs);
    const ts = state.tools[tool.id];
    const changes = Object.values(ts?.files ?? {}).flatMap((f) => f.changes);
    const applied = !!ts && ts.url === url && stillApplied(tool.formats, texts, changes);
    const notes = [...(tool.note ? [tool.note] : []), ...(tool.doctorNotes?.(reader(tool.formats, texts)) ?? [])];
    out.push({
      id: tool.id,
      name: tool.name,
      installed: onPath(tool.binary, env) || existsSync(tool.dir(where.home, env)),
      connected: applied,
      changed: !!ts && !applied,
      file: specs[tool.main]?.path ?? null,
      canConnect: tool.canConnect,
      note: notes.join(' ') || null,
    });
  }
  return out;
}
