// Bundles the compiled CLI (dist/src/cli/main.js, from tsc) with the packages it uses into
// dist/cli/, which bin/lava-desktop.js runs. Node 20 spends most of a command's start-up resolving
// and loading ~550 separate ES modules; a few bundled files load in a fraction of that (start-up
// of `serve` to its first /healthz: ≈400 → ≈290 ms on these machines, `npm run bench` prints it).
// Each command and each lazily loaded part (the dashboard's express app, the connector, MCP, the
// tokenizer) stays its own chunk, loaded only when it runs. dist/src/ stays the library entry
// (package.json "main", the Electron shell).
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const outdir = new URL('../dist/cli/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: [new URL('../dist/src/cli/main.js', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  metafile: true,
  // jsonc-parser's UMD build require()s its parts by computed paths a bundler cannot follow: loaded from node_modules.
  external: ['jsonc-parser'],
  // CommonJS packages (express and its kin) call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __lavaRequire } from 'node:module'; const require = __lavaRequire(import.meta.url);",
  },
});
// Which source modules each output file holds: tests read it to check what a command loads.
await writeFile(join(outdir, 'meta.json'), JSON.stringify(metafile));
