/**
 * TOML edits as small text edits checked by smol-toml: a root key's line (`model_provider = …`)
 * and a whole `[a.b]` table (`[model_providers.lava-desktop]`), so every other line of the user's
 * file — comments, spacing, order — stays as it was. (@decimalturn/toml-patch was tried on a
 * real Codex config: it writes a new table as a dotted inline key among the root keys.)
 */
import { parse, stringify, TomlError } from 'smol-toml';
import type { Format, Path } from './format-types.js';
import { ParseFault } from './errors.js';

const bare = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));

/** One TOML value; an object becomes an inline table. */
function value(v: unknown): string {
  if (v && typeof v === 'object' && !Array.isArray(v))
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${bare(k)} = ${value(x)}`)
      .join(', ')} }`;
  return stringify({ v }).trim().replace(/^v = /, '');
}

const isHeader = (l: string) => /^\s*\[/.test(l);
const header = (path: string[]) =>
  new RegExp(
    `^\\s*\\[\\s*${path.map((k) => `(?:${bare(k).replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}|"${k}")`).join('\\s*\\.\\s*')}\\s*\\](\\s*#.*)?\\s*$`,
  );
const rootKey = (k: string) =>
  new RegExp(`^(\\s*(?:${bare(k)}|"${k}")\\s*=\\s*)("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^#\\s]+)(.*)$`);

const strings = (path: Path): string[] => path.map((s) => (typeof s === 'string' ? s : s.item));

/** Lines of the table at `path`: from its header to the last key line before the next header. */
function tableSpan(lines: string[], path: string[]): [number, number] | undefined {
  const start = lines.findIndex((l) => header(path).test(l));
  if (start < 0) return undefined;
  let end = start + 1;
  for (let i = start + 1; i < lines.length && !isHeader(lines[i]!); i++) if (lines[i]!.trim()) end = i + 1;
  return [start, end];
}

const firstHeader = (lines: string[]) => {
  const i = lines.findIndex(isHeader);
  return i < 0 ? lines.length : i;
};

function setRoot(lines: string[], key: string, v: unknown): void {
  const top = firstHeader(lines);
  const i = lines.slice(0, top).findIndex((l) => rootKey(key).test(l));
  if (i >= 0) {
    lines[i] = lines[i]!.replace(rootKey(key), (_m, pre: string, _old: string, rest: string) => pre + value(v) + rest);
    return;
  }
  let last = -1;
  for (let j = 0; j < top; j++) if (/^\s*[^#\s[]/.test(lines[j]!)) last = j;
  const end = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  lines.splice(last >= 0 ? last + 1 : top === lines.length ? end : top, 0, `${bare(key)} = ${value(v)}`);
}

function setTable(lines: string[], path: string[], v: Record<string, unknown>): void {
  const body = [`[${path.map(bare).join('.')}]`, ...Object.entries(v).map(([k, x]) => `${bare(k)} = ${value(x)}`)];
  const span = tableSpan(lines, path);
  if (span) {
    lines.splice(span[0], span[1] - span[0], ...body);
    return;
  }
  const end = lines.length && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  if (end > 0 && lines[end - 1]!.trim()) lines.splice(end, 0, '', ...body);
  else lines.splice(end, 0, ...body);
}

function del(lines: string[], path: string[]): void {
  if (path.length === 1) {
    const top = firstHeader(lines);
    const i = lines.slice(0, top).findIndex((l) => rootKey(path[0]!).test(l));
    if (i >= 0) lines.splice(i, 1);
    return;
  }
  const span = tableSpan(lines, path);
  if (!span) return;
  const [s, e] = span;
  const atEnd = lines.slice(e).every((l) => !l.trim());
  const blankBefore = s > 0 && !lines[s - 1]!.trim();
  lines.splice(atEnd && blankBefore ? s - 1 : s, e - s + (atEnd && blankBefore ? 1 : 0));
}

const walk = (v: unknown, path: string[]) =>
  path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);

function edit(text: string, fn: (lines: string[]) => void): string {
  const lines = text.split('\n');
  fn(lines);
  const out = lines.join('\n');
  parse(out); // an edit that broke the file would be a bug here: never write it
  return out;
}

export const toml: Format = {
  check(text, file) {
    try {
      parse(text);
    } catch (e) {
      const line = e instanceof TomlError ? e.line : 1;
      throw new ParseFault(`${file}:${line}: not valid TOML (${(e as Error).message.split('\n')[0]})`);
    }
  },
  get: (text, path) => walk(parse(text), strings(path)),
  set(text, path, v) {
    const p = strings(path);
    if (p.length === 1) return edit(text, (l) => setRoot(l, p[0]!, v));
    if (p.length === 2 && v && typeof v === 'object')
      return edit(text, (l) => setTable(l, p, v as Record<string, unknown>));
    throw new Error(`toml-edit: cannot set ${p.join('.')}`);
  },
  del: (text, path) => (path.length ? edit(text, (l) => del(l, strings(path))) : ''),
};
