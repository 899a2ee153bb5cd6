import { useApi } from '../api';
import { LineChart } from '../charts';
import { Async, Stat } from '../components';
import { date, num } from '../format';
import { Link, seg } from '../router';
import { timeline } from '../timeline';
import type { Overview as OverviewData } from '../api-types';

export function Overview() {
  const state = useApi<OverviewData>('/dashboard/api/overview');
  return (
    <section>
      <h1>Overview</h1>
      <Async state={state}>
        {(o) => {
          const t = o.eventStats ? timeline(o.eventStats.perDay) : undefined;
          return (
            <>
              <div className="stats">
                <Stat label="users" value={num(o.users)} testId="stat-users" />
                <Stat label="items" value={num(o.items)} testId="stat-items" />
                <Stat label="events" value={num(o.events)} testId="stat-events" />
                <Stat label="model served" value={o.model ?? 'none (popularity)'} testId="stat-model" />
              </div>
              <div className="panel">
                <h2>Events over time{t ? ` (per ${t.unit})` : ''}</h2>
                {!o.eventStats ? (
                  <p className="muted">This store cannot count events by day.</p>
                ) : t && t.labels.length > 0 ? (
                  <LineChart title="events over time" labels={t.labels} series={[{ label: 'events', values: t.values }]} />
                ) : (
                  <p className="muted">No event has a time.</p>
                )}
                {t && t.before + t.after > 0 && (
                  <p className="muted" data-testid="clipped">
                    Shown from {t.labels[0]} to {t.labels[t.labels.length - 1]}, where the events are; left out: {num(t.before)} earlier and {num(t.after)} later.
                  </p>
                )}
                {o.eventStats && o.eventStats.undated > 0 && <p className="muted">{num(o.eventStats.undated)} events have no time (the source had none).</p>}
                {o.eventStats && (
                  <p className="kinds">
                    {o.eventStats.kinds.map((k) => (
                      <span key={k.kind} className="tag">
                        {k.kind}: {num(k.events)}
                      </span>
                    ))}
                  </p>
                )}
              </div>
              <div className="columns">
                <div className="panel">
                  <h2>Model served</h2>
                  {o.activeModel ? (
                    <>
                      <p>
                        <strong data-testid="active-model">{o.model}</strong>, trained {date(o.activeModel.created)} on events up to #{num(o.activeModel.trainedThroughSeq)}
                        {o.training ? ' — a training job is running' : ''}. <Link to="models">All models</Link>
                      </p>
                      <table className="attributes" data-testid="active-metrics">
                        <tbody>
                          {Object.entries(o.activeModel.metrics).map(([k, v]) => (
                            <tr key={k}>
                              <th>{k}</th>
                              <td>{num(v)}</td>
                            </tr>
                          ))}
                          {Object.entries(o.activeModel.params).map(([k, v]) => (
                            <tr key={`p-${k}`}>
                              <th>param {k}</th>
                              <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </>
                  ) : (
                    <p>
                      No model is trained: recommendations are the most popular items. <Link to="models">Train one</Link>.
                    </p>
                  )}
                </div>
                <div className="panel">
                  <h2>Most popular items</h2>
                  <ol className="ranked" data-testid="top-items">
                    {o.topItems.map((i) => (
                      <li key={i.id}>
                        <Link to={`items/${seg(i.id)}`}>{i.title ?? i.id}</Link> <span className="muted">{num(i.events)} events</span>
                      </li>
                    ))}
                  </ol>
                </div>
                <div className="panel">
                  <h2>Most active users</h2>
                  <ol className="ranked" data-testid="top-users">
                    {o.topUsers.map((u) => (
                      <li key={u.id}>
                        <Link to={`users/${seg(u.id)}`}>{u.id}</Link> <span className="muted">{num(u.events)} events</span>
                      </li>
                    ))}
                  </ol>
                </div>
              </div>
            </>
          );
        }}
      </Async>
    </section>
  );
}
