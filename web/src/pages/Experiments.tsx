import { useState } from 'react';
import { useApi } from '../api';
import { BarChart, LineChart } from '../charts';
import { Async } from '../components';
import { lowerIsBetter, num } from '../format';
import { metricOrder, paramsText } from '../metric-order';
import type { EvalRun, Runs } from '../api-types';

/** Runs are only comparable on the same protocol and the same data. */
const groupOf = (r: EvalRun) =>
  `${r.protocol} · ${r.dataset ? `${r.dataset}: ` : ''}${num(r.data.users)} users, ${num(r.data.items)} items, ${num(r.data.interactions)} events`;

function Comparison({ runs }: { runs: EvalRun[] }) {
  const labels = runs.map((r) => r.label);
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter((m) => !m.endsWith('_std')).sort(metricOrder);
  const columns = [...metrics, 'fit_seconds', 'eval_seconds'];
  const value = (r: EvalRun, m: string): number | undefined => (m === 'fit_seconds' ? r.fit_seconds : m === 'eval_seconds' ? r.eval_seconds : (r.metrics[m] ?? undefined));
  const best = new Map<string, number>();
  for (const m of columns) {
    const vs = runs.map((r) => value(r, m)).filter((v): v is number => v !== undefined);
    if (vs.length > 1) best.set(m, lowerIsBetter(m) ? Math.min(...vs) : Math.max(...vs));
  }
  const [chosen, setChosen] = useState(['ndcg@10', ...metrics.filter((m) => m.startsWith('ndcg@'))].find((m) => metrics.includes(m)) ?? metrics[0] ?? 'fit_seconds');
  const family = chosen.includes('@') ? chosen.split('@')[0]! : undefined;
  const atK = family ? metrics.filter((m) => m.startsWith(`${family}@`)) : [];
  return (
    <>
      <div className="scroll panel">
        <table className="list" data-testid="runs-table">
          <thead>
            <tr>
              <th>model</th>
              <th>params</th>
              {columns.map((m) => (
                <th key={m} className="num">
                  {m}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((r, i) => (
              <tr key={r.source} data-run={r.source}>
                <td>
                  <strong>{labels[i]}</strong>
                  <div className="small muted">
                    {r.source}
                    {r.seed !== undefined ? ` · seed ${r.seed}` : ''}
                  </div>
                </td>
                <td className="small params">{paramsText(r.params)}</td>
                {columns.map((m) => {
                  const v = value(r, m);
                  return (
                    <td key={m} className={`num${v !== undefined && v === best.get(m) ? ' best' : ''}`} data-metric={m}>
                      {num(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small muted">Best in each column in bold (lowest for errors, time, popularity bias and Gini; highest otherwise).</p>
      </div>
      <div className="columns">
        <div className="panel">
          <h2>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)} aria-label="metric to chart">
              {columns.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>{' '}
            by model
          </h2>
          <BarChart title={`${chosen} by model`} labels={labels} series={[{ label: chosen, values: runs.map((r) => value(r, chosen) ?? null) }]} />
        </div>
        {atK.length > 1 && (
          <div className="panel">
            <h2>{family} at each cut-off</h2>
            <LineChart title={`${family} at K`} labels={atK.map((m) => `@${m.split('@')[1]}`)} series={runs.map((r, i) => ({ label: labels[i]!, values: atK.map((m) => r.metrics[m] ?? null) }))} />
          </div>
        )}
      </div>
    </>
  );
}

export function Experiments() {
  const state = useApi<Runs>('/dashboard/api/runs');
  const [picked, setPicked] = useState<string>();
  return (
    <section>
      <h1>Experiments</h1>
      <Async state={state}>
        {(d) => {
          if (d.dir === null) {
            return (
              <div className="panel">
                <p>
                  No runs folder. Save evaluations as JSON and start the server with it:
                </p>
                <pre>
                  {`mkdir runs
unirec evaluate --data DATA --model als --protocol ratio --json > runs/als.json
unirec evaluate --data DATA --model itemknn --protocol ratio --json > runs/itemknn.json
unirec serve --db unirec.db --runs runs`}
                </pre>
              </div>
            );
          }
          const groups = new Map<string, EvalRun[]>();
          for (const r of d.runs) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
          const names = [...groups.keys()].sort((a, b) => groups.get(b)!.length - groups.get(a)!.length);
          const current = picked && groups.has(picked) ? picked : names[0];
          return (
            <>
              <p className="muted">
                {d.runs.length} evaluation runs from <code>{d.dir}</code> (read on each visit). Runs compare only on the same protocol and data.
              </p>
              {names.length > 1 && (
                <p>
                  <select value={current} onChange={(e) => setPicked(e.target.value)} aria-label="protocol and data">
                    {names.map((n) => (
                      <option key={n} value={n}>
                        {n} ({groups.get(n)!.length} runs)
                      </option>
                    ))}
                  </select>
                </p>
              )}
              {current ? (
                <>
                  <h2 data-testid="runs-group">{current}</h2>
                  <Comparison key={current} runs={groups.get(current)!} />
                </>
              ) : (
                <p className="muted">No evaluation results in this folder yet.</p>
              )}
              {d.problems.length > 0 && (
                <div className="panel">
                  <h2>Files that are not evaluation results</h2>
                  <ul data-testid="runs-problems">
                    {d.problems.map((p) => (
                      <li key={p.source}>{p.error}</li>
                    ))}
                  </ul>
                </div>
              )}
            </>
          );
        }}
      </Async>
    </section>
  );
}
