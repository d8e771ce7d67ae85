/**
 * What connect remembers, in `<data-dir>/connect/`: `state.json` (per tool, the files it touched,
 * each file's sha256 as connect left it and exactly what it added or replaced) and, before the
 * first write to a file, the file's original bytes (`<tool>.<file>.orig`; none when it was
 * absent). Disconnect restores those bytes when the file is unchanged since.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic, isNotFound } from '../lib/atomic-file.js';
import type { Change } from './edit.js';

export interface FileState {
  path: string;
  /** The backup's file name in the connect dir, or null: the file was absent. */
  backup: string | null;
  /** Of the file as connect last wrote it. */
  sha256: string;
  /** Directories connect created for it (removed again if left empty). */
  createdDirs: string[];
  changes: Change[];
}

export interface ToolState {
  url: string;
  connectedAt: string;
  files: Record<string, FileState>;
}

export interface ConnectState {
  version: 1;
  tools: Record<string, ToolState>;
}

export const connectDir = (dataDir: string): string => join(dataDir, 'connect');
const stateFile = (dataDir: string) => join(connectDir(dataDir), 'state.json');

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function readState(dataDir: string): Promise<ConnectState> {
  try {
    const s = JSON.parse(await readFile(stateFile(dataDir), 'utf8')) as ConnectState;
    return s && typeof s.tools === 'object' ? s : { version: 1, tools: {} };
  } catch (e) {
    if (isNotFound(e)) return { version: 1, tools: {} };
    throw new Error(`${stateFile(dataDir)}: cannot read (${(e as Error).message}) — fix or remove it`);
  }
}

export async function writeState(dataDir: string, state: ConnectState): Promise<void> {
  await mkdir(connectDir(dataDir), { recursive: true, mode: 0o700 });
  await writeAtomic(stateFile(dataDir), JSON.stringify(state, null, 2) + '\n', 0o600);
}

/** Saves the original bytes of a file (the first time only); returns the backup's name. */
export async function saveBackup(dataDir: string, tool: string, file: string, bytes: Buffer): Promise<string> {
  const name = `${tool}.${file}.orig`;
  await mkdir(connectDir(dataDir), { recursive: true, mode: 0o700 });
  await writeFile(join(connectDir(dataDir), name), bytes, { mode: 0o600 });
  return name;
}

export const readBackup = (dataDir: string, name: string): Promise<Buffer> => readFile(join(connectDir(dataDir), name));

export const removeBackup = (dataDir: string, name: string): Promise<void> =>
  rm(join(connectDir(dataDir), name), { force: true });
