/**
 * `lava-desktop statusline`: the command for Claude Code's `statusLine` setting. Claude Code runs
 * it on every refresh with the session's status JSON on stdin; it prints one line — this session's
 * spend, today's, and the budget left — from one GET to the running gateway. Fast on purpose:
 * node built-ins and gateway-file.ts only (no config, no zod, no store, no fetch), one request
 * with a short timeout, and a plain line, never an error, when the gateway is down.
 */
import { resolve } from 'node:path';
import { parse } from './args.js';
import { defaultDataDir, isAlive, readGatewayInfo, type GatewayInfo } from '../gateway-file.js';

export const STATUSLINE_HELP = `Usage: lava-desktop statusline [--data-dir DIR]

For Claude Code's status line. Reads the status JSON Claude Code pipes on stdin and prints one line:
  Lava $0.42 session · $3.10 today · $6.90 left today
(a session billed to your Claude plan shows its API-priced value as "plan ≈$X"). Prints
"Lava: gateway not running" when no gateway answers; always exits 0.
In ~/.claude/settings.json: "statusLine": {"type": "command", "command": "lava-desktop statusline"}`;

/** How long the command waits for stdin and for the gateway: Claude Code refreshes every 300 ms. */
const STDIN_MS = 250;
const HTTP_MS = 300;

interface Group {
  key?: string | null;
  cost: string;
  subscriptionValue?: string;
}
interface Budget {
  limit: number;
  spent: string;
}
/** The parts of `GET /api/spend?by=session` this line reads. */
export interface SessionSpend {
  today: Group;
  breakdown: Group[];
  budgets?: { daily: Budget | null; monthly: Budget | null };
}

/** Dollars to two decimals; a positive amount under a cent reads `<$0.01`. */
export function dollars(amount: number): string {
  if (amount > 0 && amount < 0.01) return '<$0.01';
  return `$${(Math.abs(amount) < 0.005 ? 0 : amount).toFixed(2)}`;
}

/** Money spent and, for requests billed to the client's plan, their API-priced value. */
function spendPart(g: Group | undefined): string {
  const cost = Number(g?.cost ?? 0);
  const plan = Number(g?.subscriptionValue ?? 0);
  if (plan > 0 && cost > 0) return `${dollars(cost)} + plan ≈${dollars(plan)}`;
  return plan > 0 ? `plan ≈${dollars(plan)}` : dollars(cost);
}

function budgetPart(budgets: SessionSpend['budgets']): string | undefined {
  const [b, period] = budgets?.daily
    ? [budgets.daily, 'today']
    : budgets?.monthly
      ? [budgets.monthly, 'this month']
      : [];
  if (!b) return undefined;
  const left = b.limit - Number(b.spent);
  return left >= 0 ? `${dollars(left)} left ${period}` : `${dollars(-left)} over budget ${period}`;
}

/** The line for a spend report and the session Claude Code is in (none: no session part). */
export function statusLine(report: SessionSpend, sessionId: string | undefined): string {
  const parts: string[] = [];
  if (sessionId) parts.push(`${spendPart(report.breakdown.find((g) => g.key === sessionId))} session`);
  parts.push(`${dollars(Number(report.today.cost))} today`);
  const budget = budgetPart(report.budgets);
  if (budget) parts.push(budget);
  return `Lava ${parts.join(' · ')}`;
}

/** Claude Code's `session_id` from stdin, read for at most STDIN_MS; bad or empty input gives none. */
function readSessionId(): Promise<string | undefined> {
  if (process.stdin.isTTY) return Promise.resolve(undefined);
  return new Promise((done) => {
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      process.stdin.destroy();
      try {
        const id = (JSON.parse(text) as { session_id?: unknown }).session_id;
        done(typeof id === 'string' && id ? id : undefined);
      } catch {
        done(undefined);
      }
    };
    const timer = setTimeout(finish, STDIN_MS);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.once('end', finish);
    process.stdin.once('error', finish);
  });
}

/** One GET of the day's spend by session; a string says why there is none. */
async function getSpend(info: GatewayInfo): Promise<SessionSpend | string> {
  const { request } = await import('node:http'); // only when there is a gateway to ask (~20 ms to load)
  return new Promise((done) => {
    const req = request(`${info.url}/api/spend?by=session&days=30`, {
      headers: { authorization: `Bearer ${info.adminToken}` },
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), HTTP_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      done(why);
    };
    req.on('error', (e) => fail(e.message === 'timeout' ? 'gateway not answering' : 'gateway not running'));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail('gateway not answering');
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('error', () => fail('gateway not answering'));
      res.on('end', () => {
        clearTimeout(timer);
        try {
          const r = JSON.parse(body) as SessionSpend;
          done(r.today && Array.isArray(r.breakdown) ? r : 'no data yet');
        } catch {
          done('no data yet');
        }
      });
    });
    req.end();
  });
}

export async function statusline(argv: string[]): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' } }, 'statusline');
  if (values.help) {
    console.log(STATUSLINE_HELP);
    return 0;
  }
  const session = readSessionId();
  const info = readGatewayInfo(resolve(values['data-dir'] ?? defaultDataDir()));
  const spend =
    info && typeof info.url === 'string' && typeof info.pid === 'number' && isAlive(info.pid)
      ? await getSpend(info)
      : 'gateway not running';
  const id = await session;
  process.stdout.write(`${typeof spend === 'string' ? `Lava: ${spend}` : statusLine(spend, id)}\n`);
  return 0;
}
