/**
 * The Spend page's breakdowns: spend by tool and by project over 1, 7 or 30 days (a Chart.js bar
 * and a table that sums to the window's total, what is not known shown as "(unattributed)"),
 * prompt-cache savings, and plan value (billed to the user's own subscription) apart from money
 * spent. A row opens History filtered by it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { basename, money, NONE, spendBreakdown, type BreakdownRow, type SpendBreakdown } from '../api';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const WINDOWS = [1, 7, 30] as const;
const UNATTRIBUTED = '(unattributed)';
const CHART_KEYS = 10;

const sum = (rows: BreakdownRow[], f: (r: BreakdownRow) => number) => rows.reduce((a, r) => a + f(r), 0);
const label = (by: string, key: string | null) =>
  key === null ? UNATTRIBUTED : by === 'project' ? basename(key) : key;

export function Breakdowns() {
  const [days, setDays] = useState<number>(7);
  const [tool, setTool] = useState<SpendBreakdown>();
  const [project, setProject] = useState<SpendBreakdown>();
  useEffect(() => {
    let current = true;
    void spendBreakdown('tool', days).then((r) => current && setTool(r));
    void spendBreakdown('project', days).then((r) => current && setProject(r));
    return () => {
      current = false;
    };
  }, [days]);
  const plan = tool ? sum(tool.breakdown, (r) => Number(r.subscriptionValue)) : 0;
  return (
    <section class="breakdowns" aria-label="Who spent it">
      <fieldset class="by">
        <legend>Window</legend>
        {WINDOWS.map((d) => (
          <label key={d}>
            <input type="radio" name="window" checked={days === d} onChange={() => setDays(d)} />{' '}
            {d === 1 ? 'today' : `${d} days`}
          </label>
        ))}
      </fieldset>
      {tool && (
        <p class="savings" data-testid="cache-savings">
          Prompt caching saved {money(tool.cacheSavings, 4)} in {days === 1 ? '1 day' : `${days} days`}.
          {plan > 0 && (
            <span data-testid="plan-value">
              {' '}
              Plan value {money(plan, 4)} (billed to your own subscription, not spent).
            </span>
          )}
        </p>
      )}
      {tool && <Breakdown title="By tool" by="tool" report={tool} />}
      {project && <Breakdown title="By project" by="project" report={project} />}
    </section>
  );
}

function historyLink(by: string, key: string | null, report: SpendBreakdown): string {
  const qs = new URLSearchParams({ [by]: key ?? NONE });
  if (report.days[0]) qs.set('since', report.days[0]);
  return `#/history?${qs}`;
}

function Breakdown({ title, by, report }: { title: string; by: string; report: SpendBreakdown }) {
  const rows = report.breakdown;
  const hasPlan = rows.some((r) => Number(r.subscriptionValue) > 0);
  return (
    <div class="breakdown" data-testid={`by-${by}`}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="empty">No requests in this window.</p>
      ) : (
        <>
          <BreakdownChart title={title} by={by} rows={rows} plan={hasPlan} />
          <table aria-label={`Spend ${title.toLowerCase()}`}>
            <thead>
              <tr>
                <th>{by}</th>
                <th class="num">requests</th>
                <th class="num">tokens</th>
                <th class="num">spent</th>
                <th class="num">plan value</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={r.key ?? NONE}
                  class="link-row"
                  data-key={r.key ?? NONE}
                  onClick={() => (location.hash = historyLink(by, r.key, report))}
                >
                  <td title={r.key ?? 'not known'}>
                    <a href={historyLink(by, r.key, report)}>{label(by, r.key)}</a>
                    {r.unpriced > 0 && <span class="tag">{r.unpriced} unpriced</span>}
                  </td>
                  <td class="num">{r.requests}</td>
                  <td class="num">{r.tokens.toLocaleString()}</td>
                  <td class="num">{money(r.cost, 4)}</td>
                  <td class="num">{Number(r.subscriptionValue) > 0 ? money(r.subscriptionValue, 4) : ''}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th>total</th>
                <th class="num">{sum(rows, (r) => r.requests)}</th>
                <th class="num">{sum(rows, (r) => r.tokens).toLocaleString()}</th>
                <th class="num">
                  {money(
                    sum(rows, (r) => Number(r.cost)),
                    4,
                  )}
                </th>
                <th class="num">
                  {hasPlan
                    ? money(
                        sum(rows, (r) => Number(r.subscriptionValue)),
                        4,
                      )
                    : ''}
                </th>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </div>
  );
}

function BreakdownChart(props: { title: string; by: string; rows: BreakdownRow[]; plan: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const shown = props.rows.slice(0, CHART_KEYS);
  useEffect(() => {
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: {
        labels: shown.map((r) => label(props.by, r.key)),
        datasets: [
          { label: 'spent', backgroundColor: '#e4572e', data: shown.map((r) => Number(r.cost)) },
          ...(props.plan
            ? [
                {
                  label: 'plan value (not spent)',
                  backgroundColor: '#17bebb',
                  data: shown.map((r) => Number(r.subscriptionValue)),
                },
              ]
            : []),
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { ticks: { callback: (v) => `$${Number(Number(v).toPrecision(2))}` } } },
      },
    });
    return () => chart.destroy();
  }, [props.rows, props.plan]);
  return (
    <div class="chart small" style={{ height: `${Math.max(120, shown.length * 34 + 50)}px` }}>
      <canvas ref={canvas} role="img" aria-label={`Spend ${props.title.toLowerCase()}`} />
    </div>
  );
}
