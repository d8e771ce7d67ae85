/**
 * What a tool module is: its name and binary, its config files, and its plan (the settings that
 * point it at the gateway, decided from its files as they are); `apply` and `remove` are the
 * pure text edits built from them (edit.ts).
 */
import type { Path } from '../formats.js';
import {
  applySettings,
  reader,
  removeChanges,
  type Change,
  type FileSpec,
  type Setting,
  type Specs,
  type Texts,
} from '../edit.js';

export interface ConnectOptions {
  /** The gateway's base URL (no trailing slash). */
  url: string;
  /** `security.localKey`, when the gateway requires it. */
  localKey?: string;
  /** Claude Code's status-line command, when asked for (`--statusline`). */
  statusLine?: string;
}

export type Read = (file: string, path: Path) => unknown;
export type Env = NodeJS.ProcessEnv;

export interface Plan {
  settings: Setting[];
  /** What the user should know (said by connect and doctor). */
  notes: string[];
}

export interface ToolDef {
  id: string;
  name: string;
  /** The command on PATH that says it is installed. */
  binary: string;
  /** False for a tool that cannot use a local gateway (said why in `note`). */
  canConnect: boolean;
  note?: string;
  /** Its config dir (its existence also says "installed"). */
  dir(home: string, env?: Env): string;
  /** Its files by id; `formats` is the same without paths, for the pure edits. */
  files(home: string, env?: Env): Record<string, FileSpec>;
  formats: Specs;
  plan(opts: ConnectOptions, read: Read): Plan;
  /** The file doctor names as "the" config file. */
  main: string;
  /** What doctor says about the tool's files as they are now (a sign-in that bypasses base URLs). */
  doctorNotes?(read: Read): string[];
}

export interface Tool extends ToolDef {
  apply(texts: Texts, opts: ConnectOptions, prev?: Change[]): { texts: Texts; changes: Change[]; notes: string[] };
  remove(texts: Texts, changes: Change[]): Texts;
}

export function defineTool(def: ToolDef): Tool {
  return {
    ...def,
    apply(texts, opts, prev) {
      const { settings, notes } = def.plan(opts, reader(def.formats, texts));
      return { ...applySettings(def.formats, texts, settings, prev), notes };
    },
    remove: (texts, changes) => removeChanges(def.formats, texts, changes),
  };
}

/** A tagged base URL: the gateway records the tag (`/@claude-code/anthropic`). */
export const tagged = (url: string, tag: string, route: string): string => `${url}/@${tag}/${route}`;
