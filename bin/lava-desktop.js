#!/usr/bin/env node
// Entry point of the `lava-desktop` command: runs the compiled CLI (built by `npm run build`, which `npm install` runs).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`lava-desktop: ${e?.message ?? e}`);
    process.exitCode = 1;
  },
);
