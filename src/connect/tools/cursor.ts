/** Cursor: listed so it is said honestly — its requests come from Cursor's servers, never writable. */
import { join } from 'node:path';
import { defineTool } from './define.js';
import { CURSOR_NOTE } from '../snippets.js';

export const cursor = defineTool({
  id: 'cursor',
  name: 'Cursor',
  binary: 'cursor',
  canConnect: false,
  note: CURSOR_NOTE,
  dir: (home) => join(home, '.cursor'),
  main: '',
  files: () => ({}),
  formats: {},
  plan: () => ({ settings: [], notes: [CURSOR_NOTE] }),
});
