import { useApi } from '../api';
import { LineChart } from '../charts';
import { Async, Stat } from '../components';
import { date, num } from '../format';
import { Link, seg } from '../router';
import type { Overview as OverviewData } from '../types';

/**
 * Events per day, or per month when the log spans more than a year (a point per day would be a blur);
 * days without events count 0 so gaps show.
 */
export function timeline(perDay: { day: string; events: number }[]): { labels: string[]; values: number[]; unit: string } {
  if (perDay.length === 0) return { labels: [], values: [], unit: 'day' };
  const first = Date.parse(perDay[0]!.day);
  const last = Date.parse(perDay[perDay.length - 1]!.day);
  const monthly = last - first > 366 * 86400_000;
  const key = (d: string) => (monthly ? d.slice(0, 7) : d);
  const counts = new Map<string, number>();
  for (const d of perDay) counts.set(key(d.day), (counts.get(key(d.day)) ?? 0) + d.events);
  const labels: string[] = [];
  for (let t = first; t <= last; t += 86400_000) {
    const k = key(new Date(t).toISOString().slice(0, 10));
    if (labels[labels.length - 1] !== k) labels.push(k);
  }
  return { labels, values: labels.map((l) => counts.get(l) ?? 0), unit: monthly ? 'month' : 'day' };
}

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
