/**
 * Which caps there are (PRODUCT.md §14): everything's daily and monthly cap, and each tool's and
 * project's (`budgets.tools.<tool>`, `budgets.projects.<path>`); which of them apply to a request.
 * A project cap covers its folder and every folder inside it.
 */
import type { GatewayConfig } from '../config.js';

export type Period = 'daily' | 'monthly';
export type Scope = { kind: 'global'; key: null } | { kind: 'tool' | 'project'; key: string };

export interface Cap {
  scope: Scope;
  period: Period;
  limit: number;
  /** Whether a request of this tool and project counts under this cap. */
  covers(r: { tool: string | null; project: string | null }): boolean;
}

export const scopeKey = (kind: 'tool' | 'project', key: string): string => `${kind}:${key}`;

/** A project path and the folders inside it (`/a/b` covers `/a/b` and `/a/b/c`, not `/a/bc`). */
export const inProject = (path: string | null, project: string): boolean =>
  path !== null && (path === project || path.startsWith(project.endsWith('/') ? project : `${project}/`));

type Budgets = GatewayConfig['budgets'];

const memo = new WeakMap<Budgets, Cap[]>();

/** Every cap configured (computed once per config). */
export function capsFor(b: Budgets): Cap[] {
  let caps = memo.get(b);
  if (caps) return caps;
  caps = [];
  const add = (scope: Scope, limits: { daily?: number; monthly?: number }, covers: Cap['covers']) => {
    for (const period of ['daily', 'monthly'] as const) {
      const limit = limits[period];
      if (limit) caps!.push({ scope, period, limit, covers });
    }
  };
  add({ kind: 'global', key: null }, b, () => true);
  for (const [tool, limits] of Object.entries(b.tools ?? {}))
    add({ kind: 'tool', key: tool }, limits, (r) => r.tool === tool);
  for (const [project, limits] of Object.entries(b.projects ?? {}))
    add({ kind: 'project', key: project }, limits, (r) => inProject(r.project, project));
  memo.set(b, caps);
  return caps;
}

/** The caps a request of this tool and project falls under. */
export const capsOver = (b: Budgets, r: { tool: string | null; project: string | null }): Cap[] =>
  capsFor(b).filter((c) => c.covers(r));
