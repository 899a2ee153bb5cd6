import { type FormEvent, useEffect, useState } from 'react';
import { api, useApi } from '../api';
import { BarChart } from '../charts';
import { Async, ErrorBox } from '../components';
import { bytes, date, num } from '../format';
import type { EvalRun, ModelInfo, Models as ModelsData, Runs, TrainJob } from '../api-types';

const label = (m: ModelInfo) => `${m.name}@${m.version}`;

/** Params as a canonical string: key order does not matter. */
const canonical = (params: Record<string, unknown>): string =>
  JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));

/** Offline metrics shown beside each version: ndcg and recall at the first K the run has. */
function offlineSummary(run: EvalRun): string {
  const pick = (family: string) => Object.keys(run.metrics).find((k) => k.startsWith(`${family}@`));
  const parts = [pick('ndcg'), pick('recall')]
    .filter((k): k is string => k !== undefined)
    .map((k) => `${k} ${num(run.metrics[k])}`);
  return `${run.protocol}${run.dataset ? ` on ${run.dataset}` : ''}: ${parts.join(', ')}`;
}

function TrainForm({ available, onStarted }: { available: string[]; onStarted: () => void }) {
  const [model, setModel] = useState(available.includes('als') ? 'als' : (available[0] ?? ''));
  const [params, setParams] = useState('{}');
  const [activate, setActivate] = useState(true);
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const parsed: unknown = JSON.parse(params || '{}');
      await api<TrainJob>(`/models/${encodeURIComponent(model)}/train`, { method: 'POST', body: { params: parsed, activate } });
      onStarted();
    } catch (err) {
      setError(err instanceof SyntaxError ? new Error(`params: ${err.message}`) : (err as Error));
    }
  };
  return (
    <form className="event-form" onSubmit={(e) => void submit(e)}>
      <select value={model} onChange={(e) => setModel(e.target.value)} aria-label="model to train">
        {available.map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
      <input value={params} onChange={(e) => setParams(e.target.value)} aria-label="params (JSON)" placeholder='params, e.g. {"factors": 64}' className="wide" />
      <label>
        <input type="checkbox" checked={activate} onChange={(e) => setActivate(e.target.checked)} /> serve when done
      </label>
      <button type="submit">Train</button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

export function Models() {
  const state = useApi<ModelsData>('/models');
  // Evaluation runs of the same model with the same params: how this version did offline.
  const runs = useApi<Runs>('/dashboard/api/runs');
  const evaluations = (m: ModelInfo): EvalRun[] => (runs.data?.runs ?? []).filter((r) => r.model === m.name && canonical(r.params) === canonical(m.params));
  const [metric, setMetric] = useState('fit_seconds');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const running = state.data?.jobs.some((j) => j.status === 'running' || j.status === 'queued') ?? false;

  // While a job runs, look again every second: it shows up as a new version when it is done.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void state.reload(), 1000);
    return () => clearInterval(timer);
  }, [running, state.reload]);

  const activate = async (m: ModelInfo) => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/models/${encodeURIComponent(m.name)}/activate`, { method: 'POST', body: { version: m.version } });
      await state.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>Models</h1>
      {error && <ErrorBox error={error} />}
      <Async state={state}>
        {(d) => {
          const keys = [...new Set(d.models.flatMap((m) => Object.keys(m.metrics)))].sort();
          const paramKeys = [...new Set(d.models.flatMap((m) => Object.keys(m.params)))].sort();
          const shown = keys.includes(metric) ? metric : keys[0];
          return (
            <>
              <p>
                Serving <strong data-testid="models-active">{d.active ?? 'nothing (popularity fallback)'}</strong>.
              </p>
              <div className="panel">
                <h2>Trained versions</h2>
                {d.models.length === 0 ? (
                  <p className="muted">No model is trained yet.</p>
                ) : (
                  <div className="scroll">
                    <table className="list" data-testid="models-table">
                      <thead>
                        <tr>
                          <th>model</th>
                          <th>trained</th>
                          <th className="num">events</th>
                          <th className="num">size</th>
                          {keys.map((k) => (
                            <th key={k} className="num">
                              {k}
                            </th>
                          ))}
                          <th>params</th>
                          {(runs.data?.runs.length ?? 0) > 0 && <th>evaluated (same params)</th>}
                          <th />
                        </tr>
                      </thead>
                      <tbody>
                        {d.models.map((m) => (
                          <tr key={label(m)} data-model={label(m)} className={m.active ? 'active-row' : undefined}>
                            <td>
                              <strong>{label(m)}</strong>
                            </td>
                            <td>{date(m.created)}</td>
                            <td className="num">{num(m.trainedThroughSeq)}</td>
                            <td className="num">{bytes(m.bytes)}</td>
                            {keys.map((k) => (
                              <td key={k} className="num">
                                {num(m.metrics[k])}
                              </td>
                            ))}
                            <td className="small">{paramKeys.filter((k) => k in m.params).map((k) => `${k}=${JSON.stringify(m.params[k])}`).join(' ')}</td>
                            {(runs.data?.runs.length ?? 0) > 0 && (
                              <td className="small" data-testid={`offline-${label(m)}`}>
                                {evaluations(m).map((r) => (
                                  <div key={r.source} title={r.source}>
                                    {offlineSummary(r)}
                                  </div>
                                ))}
                              </td>
                            )}
                            <td>
                              {m.active ? (
                                <span className="badge">serving</span>
                              ) : (
                                <button type="button" disabled={busy} onClick={() => void activate(m)} data-testid={`activate-${label(m)}`}>
                                  Activate
                                </button>
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </div>
              {shown && d.models.length > 0 && (
                <div className="panel">
                  <h2>
                    Compare{' '}
                    <select value={shown} onChange={(e) => setMetric(e.target.value)} aria-label="metric">
                      {keys.map((k) => (
                        <option key={k}>{k}</option>
                      ))}
                    </select>
                  </h2>
                  <BarChart title={`models by ${shown}`} labels={d.models.map(label)} series={[{ label: shown, values: d.models.map((m) => m.metrics[shown] ?? null) }]} />
                </div>
              )}
              <div className="panel">
                <h2>Train</h2>
                <p className="muted">Trains on everything in the store, in the background; the server keeps serving meanwhile.</p>
                <TrainForm available={d.available} onStarted={() => void state.reload()} />
                {d.jobs.length > 0 && (
                  <table className="list" data-testid="jobs">
                    <thead>
                      <tr>
                        <th>job</th>
                        <th>model</th>
                        <th>status</th>
                        <th>started</th>
                        <th>result</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...d.jobs].reverse().map((j) => (
                        <tr key={j.id}>
                          <td>{j.id}</td>
                          <td>{j.model}</td>
                          <td>{j.status}</td>
                          <td>{date(j.started)}</td>
                          <td>{j.error ?? (j.version ? `${j.model}@${j.version}${j.activated ? ', serving' : ''}` : '')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            </>
          );
        }}
      </Async>
    </section>
  );
}
