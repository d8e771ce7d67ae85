/**
 * Spend: totals (plan value apart), budgets with progress (budget-progress.tsx), a chart by day stacked by model or provider (Chart.js), spend by
 * tool and by project (breakdown.tsx), top models, unpriced models, drift, CSV export.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { api, money, type BudgetsStatus } from '../api';
import { Breakdowns } from './breakdown';
import { BudgetProgress } from './budget-progress';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

interface Totals {
  requests: number;
  tokens: number;
  cost: string;
  unpriced: number;
  /** API-priced value of requests billed to the user's own plan: not money spent. */
  subscriptionValue?: string;
}
interface Report {
  today: Totals;
  last7Days: Totals;
  last30Days: Totals;
  month: Totals;
  days: string[];
  series: { date: string; key: string; cost: string; requests: number }[];
  topModels: { provider: string; model: string; cost: string; requests: number; unpriced: number }[];
  unpricedModels: { provider: string; model: string; requests: number }[];
  drift: { provider: string; model: string; requests: number; lava: string; estimate: string; difference: string }[];
  budgets: BudgetsStatus;
}

const COLORS = ['#e4572e', '#17bebb', '#ffc914', '#2e282a', '#76b041', '#7d5ba6', '#f29e4c', '#3d5a80'];
const today = () => new Date().toISOString().slice(0, 10);

export function Spend() {
  const [by, setBy] = useState<'model' | 'provider'>('model');
  const [report, setReport] = useState<Report>();
  const [from, setFrom] = useState(new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10));
  const [to, setTo] = useState(today());
  useEffect(() => {
    void api<Report>(`/api/spend?days=30&by=${by}`).then(setReport);
  }, [by]);
  if (!report) return <p class="empty">Loading spend…</p>;
  const cards: [string, Totals][] = [
    ['Today', report.today],
    ['Last 7 days', report.last7Days],
    ['Last 30 days', report.last30Days],
    ['This month', report.month],
  ];
  return (
    <section class="spend">
      <div class="cards">
        {cards.map(([label, t]) => (
          <div class="card" key={label}>
            <h2>{label}</h2>
            <p class="big" data-testid={`spend-${label}`}>
              {money(t.cost, 4)}
            </p>
            <p>
              {t.requests} requests · {t.tokens.toLocaleString()} tokens{t.unpriced ? ` · ${t.unpriced} unpriced` : ''}
            </p>
            {Number(t.subscriptionValue ?? 0) > 0 && (
              <p class="note" title="Billed to your own subscription, not spent">
                + plan value {money(t.subscriptionValue, 4)}
              </p>
            )}
          </div>
        ))}
      </div>
      <BudgetProgress budgets={report.budgets} />
      <fieldset class="by">
        <legend>Stack by</legend>
        {(['model', 'provider'] as const).map((b) => (
          <label key={b}>
            <input type="radio" name="by" checked={by === b} onChange={() => setBy(b)} /> {b}
          </label>
        ))}
      </fieldset>
      <DailyChart report={report} />
      <Breakdowns />
      <h2>Top models (30 days)</h2>
      <table>
        <thead>
          <tr>
            <th>provider</th>
            <th>model</th>
            <th class="num">requests</th>
            <th class="num">cost</th>
          </tr>
        </thead>
        <tbody>
          {report.topModels.map((m) => (
            <tr key={`${m.provider}/${m.model}`}>
              <td>{m.provider}</td>
              <td>
                {m.model} {m.unpriced > 0 && <span class="tag">unpriced</span>}
              </td>
              <td class="num">{m.requests}</td>
              <td class="num">{money(m.cost, 4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.unpricedModels.length > 0 && (
        <p class="note">
          No price known for: {report.unpricedModels.map((m) => `${m.provider}/${m.model} (${m.requests})`).join(', ')}{' '}
          — their cost is not counted.
        </p>
      )}
      {report.drift.length > 0 && (
        <>
          <h2>Lava's cost vs the local estimate</h2>
          <table>
            <thead>
              <tr>
                <th>model</th>
                <th class="num">synced requests</th>
                <th class="num">estimate</th>
                <th class="num">Lava</th>
                <th class="num">difference</th>
              </tr>
            </thead>
            <tbody>
              {report.drift.map((d) => (
                <tr key={`${d.provider}/${d.model}`}>
                  <td>{d.model}</td>
                  <td class="num">{d.requests}</td>
                  <td class="num">{money(d.estimate, 6)}</td>
                  <td class="num">{money(d.lava, 6)}</td>
                  <td class="num">{money(d.difference, 6)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <form class="export" onSubmit={(e) => e.preventDefault()}>
        <h2>Export</h2>
        <label>
          From <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <a class="button" href={`/api/export.csv?from=${from}&to=${to}`} download>
          Download CSV
        </a>
      </form>
    </section>
  );
}

function DailyChart({ report }: { report: Report }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const keys = [...new Set(report.series.map((s) => s.key))];
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: {
        labels: report.days.map((d) => d.slice(5)),
        datasets: keys.map((k, i) => ({
          label: k,
          backgroundColor: COLORS[i % COLORS.length],
          data: report.days.map((d) => Number(report.series.find((s) => s.date === d && s.key === k)?.cost ?? 0)),
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, ticks: { callback: (v) => `$${Number(Number(v).toPrecision(2))}` } },
        },
      },
    });
    return () => chart.destroy();
  }, [report]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label="Spend per day, stacked" />
    </div>
  );
}
