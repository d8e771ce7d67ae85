#!/usr/bin/env node
// Entry point of the `lava-desktop` command: runs the bundled CLI (built by `npm run build`, which `npm install` runs).
import { main } from '../dist/cli/main.js';

// A command that failed must not leave anything running behind it (a half-started server, timers).
const exit = (code) => {
  process.exitCode = code;
  if (code !== 0) setTimeout(() => process.exit(code), 200).unref();
};
main(process.argv.slice(2)).then(exit, (e) => {
  console.error(`lava-desktop: ${e?.message ?? e}`);
  exit(1);
});
