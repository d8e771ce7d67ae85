/**
 * `lava_budget` (PRODUCT.md §9, §14): what the calling tool and project may still spend today and
 * this month, and what was spent — from `/api/spend`'s budget scopes, keeping the caps that apply
 * to this tool and project (a project cap covers its folder and the folders inside it).
 */
import { z } from 'zod';
import type { BudgetScopeView as ScopeView } from '../record/admission.js';
import { inProject } from '../record/budget-scopes.js';
import { callerProject, callerTool } from './caller.js';
import { call, errorText, fail, ok, tool, type ToolDef } from './link.js';

interface SpendBody {
  today: { cost: string; requests: number };
  month: { cost: string; requests: number };
  budgets: { hardStop: boolean; scopes: ScopeView[] };
}

const applies = (c: ScopeView, tool: string | null, project: string | null): boolean =>
  c.scope === 'global' ||
  (c.scope === 'tool' && c.key === tool) ||
  (c.scope === 'project' && project !== null && inProject(project, c.key!));

const least = (xs: number[]): number | null => (xs.length ? Math.min(...xs) : null);

/** The answer: totals, the caps over this tool and project, and the least left of them per window. */
export function budgetAnswer(s: SpendBody, tool: string | null, project: string | null) {
  const caps = s.budgets.scopes
    .filter((c) => applies(c, tool, project))
    .map((c) => ({
      scope: c.scope,
      key: c.key,
      period: c.period,
      limit: c.limit,
      spent: Number(c.spent),
      reserved: Number(c.reserved),
      left: Number(c.left),
    }));
  const notes: string[] = [];
  if (!tool) notes.push('calling tool not known: pass `tool` to include its caps');
  if (!project) notes.push('project not known: pass `project` (an absolute path) to include its caps');
  if (caps.length && !s.budgets.hardStop) notes.push('hardStop is off: caps alert but do not refuse requests');
  return {
    today: { spent: Number(s.today.cost), requests: s.today.requests },
    month: { spent: Number(s.month.cost), requests: s.month.requests },
    tool,
    project,
    hardStop: s.budgets.hardStop,
    caps,
    // A monthly cap bounds today too; null: no cap applies (no limit).
    mayStillSpend: {
      today: least(caps.map((c) => c.left)),
      month: least(caps.filter((c) => c.period === 'monthly').map((c) => c.left)),
    },
    ...(notes.length ? { notes } : {}),
  };
}

export const BUDGET_TOOLS: ToolDef[] = [
  tool(
    'lava_budget',
    {
      description:
        "What this tool and project may still spend (USD) today and this month under the gateway's budgets, and what was spent today and this month. The tool and project default to the caller's (the MCP client's name; the folder `lava-desktop mcp` runs in); mayStillSpend is null where no cap applies.",
      inputSchema: {
        tool: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe('a tool id: claude-code, codex, gemini-cli, opencode, aider…'),
        project: z.string().min(1).max(1024).optional().describe('the project folder, an absolute path'),
      },
    },
    async (link, args, caller) => {
      let project: string | null;
      try {
        project = callerProject(args.project, caller);
      } catch (e) {
        return fail((e as Error).message);
      }
      const r = await call(link, '/api/spend?days=1', { admin: true });
      if (r.status !== 200) return fail(errorText(r));
      const answer = budgetAnswer(r.body as SpendBody, callerTool(args.tool, caller), project);
      return ok(JSON.stringify(answer, null, 2), answer);
    },
  ),
];
