/**
 * The pure part of connect and disconnect, text in and text out: a tool's settings (file, key,
 * value) applied to its files' texts, each change remembered with what it replaced, and those
 * changes taken back again — only where the file still holds what connect wrote, so a key the
 * user has changed since is left as the user has it.
 */
import { isDeepStrictEqual } from 'node:util';
import { FORMATS, type FormatId, type Path } from './formats.js';

export interface FileSpec {
  /** Absolute path. */
  path: string;
  format: FormatId;
  /** Holds a key once connected (created 0600). */
  secret?: boolean;
}

/** A tool's files by id (`settings`, `env`, …), with their text (`undefined`: absent). */
export type Texts = Record<string, string | undefined>;
export type Specs = Record<string, Pick<FileSpec, 'format'>>;

export interface Setting {
  file: string;
  path: Path;
  value: unknown;
}

export interface Change extends Setting {
  /** Whether the key was there before connect, and its value then. */
  had: boolean;
  old?: unknown;
  /** How many of the key's parents connect created (removed again when left empty). */
  created: number;
  /** The file was absent before connect. */
  newFile?: boolean;
}

/** Values compared as data (parsers give objects of other prototypes). */
const equal = (a: unknown, b: unknown) =>
  a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
const same = (a: Setting, b: Setting) => a.file === b.file && isDeepStrictEqual(a.path, b.path);
const isEmpty = (v: unknown) =>
  v !== null && typeof v === 'object' && Object.keys(v as object).length === 0 && !(v instanceof Date);

/** Throws a ParseFault (file and line) for any present file that does not parse. */
export function checkTexts(specs: Record<string, FileSpec>, texts: Texts): void {
  for (const [id, text] of Object.entries(texts))
    if (text !== undefined && specs[id]) FORMATS[specs[id].format].check(text, specs[id].path);
}

/** A reader of the current value of a key (what a tool's plan decides from). */
export const reader =
  (specs: Specs, texts: Texts) =>
  (file: string, path: Path): unknown => {
    const text = texts[file];
    if (text === undefined || !specs[file]) return undefined;
    try {
      return FORMATS[specs[file].format].get(text, path);
    } catch {
      return undefined; // a file that does not parse holds nothing of ours
    }
  };

/**
 * Applies the settings; `prev` are the changes of an earlier connect, kept (with their first
 * old value) for keys set again or not set this time.
 */
export function applySettings(
  specs: Specs,
  texts: Texts,
  settings: Setting[],
  prev: Change[] = [],
): { texts: Texts; changes: Change[] } {
  const out: Texts = { ...texts };
  const changes: Change[] = [];
  for (const s of settings) {
    const fmt = FORMATS[specs[s.file]!.format];
    const text = out[s.file] ?? '';
    const cur = out[s.file] === undefined ? undefined : fmt.get(text, s.path);
    const p = prev.find((c) => same(c, s));
    if (!equal(cur, s.value)) out[s.file] = fmt.set(text, s.path, s.value);
    else if (!p) continue;
    if (p) changes.push({ ...p, value: s.value });
    else {
      let created = 0;
      if (cur === undefined)
        while (created < s.path.length - 1 && fmt.get(text, s.path.slice(0, -(created + 1))) === undefined) created++;
      const c: Change = { ...s, had: cur !== undefined, created };
      if (cur !== undefined) c.old = cur;
      if (texts[s.file] === undefined) c.newFile = true;
      changes.push(c);
    }
  }
  for (const p of prev) if (!settings.some((s) => same(s, p))) changes.push(p);
  return { texts: out, changes };
}

/** Takes the changes back where the file still holds what connect wrote. */
export function removeChanges(specs: Specs, texts: Texts, changes: Change[]): Texts {
  const out: Texts = { ...texts };
  for (const c of [...changes].reverse()) {
    const fmt = FORMATS[specs[c.file]!.format];
    let text = out[c.file];
    if (text === undefined || !equal(fmt.get(text, c.path), c.value)) continue;
    text = c.had ? fmt.set(text, c.path, c.old) : fmt.del(text, c.path);
    for (let i = 1; !c.had && i <= c.created && isEmpty(fmt.get(text, c.path.slice(0, -i))); i++)
      text = fmt.del(text, c.path.slice(0, -i));
    out[c.file] = text;
  }
  for (const c of changes)
    if (c.newFile && out[c.file] !== undefined && isEmpty(FORMATS[specs[c.file]!.format].get(out[c.file]!, [])))
      out[c.file] = undefined;
  return out;
}

/** Whether every change is still in its file as connect wrote it. */
export function stillApplied(specs: Specs, texts: Texts, changes: Change[]): boolean {
  const read = reader(specs, texts);
  return changes.length > 0 && changes.every((c) => equal(read(c.file, c.path), c.value));
}
