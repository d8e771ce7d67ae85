/**
 * The config file formats `connect` edits, each read and written with a real parser that keeps
 * the user's file as it is outside the edited keys: JSON with comments (jsonc-parser `modify`),
 * YAML (the `yaml` Document API, then only the lines the edit changed are taken from its output),
 * TOML (toml-edit.ts) and `.env` (one line per variable). A file that does not parse is a
 * `ParseFault` naming the file and line; nothing is written then.
 */
import { applyEdits, modify, parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { diffLines } from 'diff';
import { toml } from './toml-edit.js';
import { ParseFault } from './errors.js';
import type { Format, FormatId, Path } from './format-types.js';

export type { Format, FormatId, Path, Seg } from './format-types.js';

export const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

const keys = (path: Path): string[] => path.map((s) => (typeof s === 'string' ? s : s.item));

const walk = (value: unknown, path: string[]): unknown => {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
};

const jsonParse = (text: string): { value: unknown; errors: ParseError[] } => {
  const errors: ParseError[] = [];
  const value: unknown = text.trim() ? parseJsonc(text, errors, { allowTrailingComma: true }) : {};
  return { value, errors };
};

/** The indentation the file already uses (2 spaces when it cannot tell). */
function indentOf(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  const m = /\n([ \t]+)\S/.exec(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (m?.[1]?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: m?.[1]?.length ?? 2, eol };
}

const json: Format = {
  check(text, file) {
    const { value, errors } = jsonParse(text);
    if (errors[0]) throw new ParseFault(`${file}:${lineOf(text, errors[0].offset)}: not valid JSON`);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new ParseFault(`${file}:1: must hold a JSON object`);
  },
  get: (text, path) => walk(jsonParse(text).value, keys(path)),
  set(text, path, value) {
    const base = text.trim() ? text : '{}\n';
    return applyEdits(base, modify(base, keys(path), value, { formattingOptions: indentOf(text) }));
  },
  del(text, path) {
    if (!path.length) return '';
    return applyEdits(text, modify(text, keys(path), undefined, { formattingOptions: indentOf(text) }));
  },
};

/**
 * Takes from `edited` (the parser's whole output) only the lines that differ from `rendered`
 * (the parser's output of the unedited file), and the user's own bytes for every other line.
 */
function keepUserLines(original: string, rendered: string, edited: string): string {
  const orig = original.split('\n');
  if (rendered.split('\n').length !== orig.length) return edited;
  let i = 0;
  let out = '';
  for (const part of diffLines(rendered, edited)) {
    const n = part.count ?? 0;
    if (part.added) out += part.value;
    else if (part.removed) i += n;
    else {
      out += orig.slice(i, i + n).join('\n') + (i + n < orig.length ? '\n' : '');
      i += n;
    }
  }
  return out;
}

/** In YAML the `{item}` segment is the index of the `NAME=` entry (or the next index). */
function yamlPath(doc: Document, path: Path): { at: (string | number)[]; list?: (string | number)[] } {
  const at: (string | number)[] = [];
  for (const seg of path) {
    if (typeof seg === 'string') {
      at.push(seg);
      continue;
    }
    const list = doc.getIn(at, true);
    const items = isSeq(list) ? list.items.map((n) => (isScalar(n) ? String(n.value) : '')) : [];
    const i = items.findIndex((s) => s.startsWith(`${seg.item}=`));
    return { at: [...at, i < 0 ? items.length : i], list: [...at] };
  }
  return { at };
}

const yamlDoc = (text: string) => parseDocument(text, { keepSourceTokens: true });

const yaml: Format = {
  check(text, file) {
    const doc = yamlDoc(text);
    const err = doc.errors[0];
    if (err) throw new ParseFault(`${file}:${err.linePos?.[0].line ?? 1}: not valid YAML (${err.code})`);
    if (doc.contents !== null && !isMap(doc.contents)) throw new ParseFault(`${file}:1: must hold a YAML mapping`);
  },
  get(text, path) {
    const doc = yamlDoc(text);
    const { at, list } = yamlPath(doc, path);
    const v: unknown = doc.getIn(at, true);
    if (list && !isSeq(doc.getIn(list, true))) return undefined;
    return v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
  },
  set(text, path, value) {
    const doc = yamlDoc(text);
    const rendered = doc.toString();
    const { at, list } = yamlPath(doc, path);
    if (list && !isSeq(doc.getIn(list, true))) doc.setIn(list, doc.createNode([value]));
    else doc.setIn(at, value);
    return text.trim() ? keepUserLines(text, rendered, doc.toString()) : doc.toString();
  },
  del(text, path) {
    const doc = yamlDoc(text);
    const rendered = doc.toString();
    doc.deleteIn(yamlPath(doc, path).at);
    return keepUserLines(text, rendered, doc.toString());
  },
};

const envLine = (name: string) => new RegExp(`^\\s*(?:export\\s+)?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
const unquote = (v: string) => v.trim().replace(/^(['"])(.*)\1$/, '$2');

/** `.env`: `NAME=value` lines; other lines are never touched. Only single-name paths. */
const dotenv: Format = {
  check() {},
  get(text, path) {
    if (!path.length)
      return Object.fromEntries(text.split('\n').flatMap((l) => (/^\s*[^#\s]/.test(l) ? [[l, l]] : [])));
    const name = keys(path)[0]!;
    const line = text.split('\n').findLast((l) => envLine(name).test(l));
    return line === undefined ? undefined : unquote(line.slice(line.indexOf('=') + 1));
  },
  set(text, path, value) {
    const name = keys(path)[0]!;
    const lines = text.split('\n');
    const i = lines.findLastIndex((l) => envLine(name).test(l));
    if (i >= 0) {
      lines[i] = lines[i]!.slice(0, lines[i]!.indexOf('=') + 1) + String(value);
      return lines.join('\n');
    }
    return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${name}=${String(value)}\n`;
  },
  del(text, path) {
    if (!path.length) return '';
    const name = keys(path)[0]!;
    return text
      .split(/(?<=\n)/)
      .filter((l) => !envLine(name).test(l))
      .join('');
  },
};

export const FORMATS: Record<FormatId, Format> = { json, yaml, toml, dotenv };
