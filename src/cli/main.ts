/** `lava-desktop` entry: dispatches to a command; usage and config errors exit 2 in one line. */
import { UsageError } from './args.js';
import { VERSION } from '../version.js';

const HELP = `Usage: lava-desktop <command> [options]

Commands:
  serve   run the gateway and dashboard (headless)
  env     print exports that point your tools at the running gateway
  usage   spend and requests by day, provider and model
  login   sign in to Lava in the browser and save the secret key
  status  is the gateway running? where, today's requests and spend, sync (exit 0/1)
  mcp     serve the MCP tools over stdio (for agents)
  resume  --tool X: let a tool the runaway guard paused send again
  connect     point a coding agent (claude-code, codex, …) at the gateway
  disconnect  undo connect for one tool or --all
  doctor      per tool: installed, connected, last request seen
  statusline  one line for Claude Code's status line: this session's spend, today's, budget left
  service     install|uninstall|status: run the gateway as your background service (starts at login)
Run "lava-desktop <command> --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

/** Each command is loaded when it runs: `serve` does not load the MCP SDK, `env` does not load the gateway. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: () => import('./serve.js').then((m) => m.serve),
  env: () => import('./env.js').then((m) => m.env),
  usage: () => import('./usage.js').then((m) => m.usage),
  login: () => import('./login.js').then((m) => m.login),
  mcp: () => import('./mcp.js').then((m) => m.mcp),
  status: () => import('./status.js').then((m) => m.status),
  resume: () => import('./resume.js').then((m) => m.resume),
  connect: () => import('./connect.js').then((m) => m.connect),
  disconnect: () => import('./connect.js').then((m) => m.disconnect),
  doctor: () => import('./connect.js').then((m) => m.doctor),
  statusline: () => import('./statusline.js').then((m) => m.statusline),
  service: () => import('./service.js').then((m) => m.service),
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    console.log(VERSION);
    return 0;
  }
  const run = COMMANDS[cmd];
  try {
    if (!run) throw new UsageError(`unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await (
      await run()
    )(rest);
  } catch (e) {
    // Loaded only here: config.ts brings zod (~150 ms), which `statusline` must not pay on every refresh.
    const [{ ConfigError }, { StartError }] = await Promise.all([import('../config.js'), import('../data-dir.js')]);
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`lava-desktop: ${e.message}`);
      return 2;
    }
    if (e instanceof StartError) {
      console.error(`lava-desktop: ${e.message}`);
      return 1;
    }
    console.error(`lava-desktop: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}
