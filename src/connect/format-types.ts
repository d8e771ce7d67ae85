/** What a config file format offers connect: check, get, set and delete a key, text in and text out. */
/** A key in a file; `{ item: NAME }` is the `NAME=…` entry of a list (aider's `set-env`). */
export type Seg = string | { item: string };
export type Path = Seg[];

export interface Format {
  /** Throws a ParseFault when the text does not parse. */
  check(text: string, file: string): void;
  /** The value at the path (plain data), `undefined` when absent; `[]` is the whole file. */
  get(text: string, path: Path): unknown;
  set(text: string, path: Path, value: unknown): string;
  del(text: string, path: Path): string;
}

export type FormatId = 'json' | 'yaml' | 'toml' | 'dotenv';
