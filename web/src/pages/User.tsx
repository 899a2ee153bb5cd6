import { type FormEvent, useState } from 'react';
import { api, useApi } from '../api';
import { Async, AttributeTable, ErrorBox } from '../components';
import { date, num } from '../format';
import { Link, seg } from '../router';
import type { Counted, Recommendation, ScoredItem, UserPage as UserData } from '../api-types';

const K = 10;

/** How a top-k list moved after an event: what came in, what dropped out, what changed rank. */
export interface ListChange {
  event: { item: string; kind: string; value: number };
  entered: ScoredItem[];
  left: ScoredItem[];
  moved: { item: ScoredItem; from: number; to: number }[];
  modelBefore: string;
  modelAfter: string;
}

export function listChange(before: Recommendation, after: Recommendation, event: ListChange['event']): ListChange {
  const rank = (r: Recommendation) => new Map(r.items.map((it, i) => [it.id, i + 1]));
  const was = rank(before);
  const now = rank(after);
  return {
    event,
    entered: after.items.filter((it) => !was.has(it.id)),
    left: before.items.filter((it) => !now.has(it.id)),
    moved: after.items.filter((it) => was.has(it.id) && was.get(it.id) !== now.get(it.id)).map((it) => ({ item: it, from: was.get(it.id)!, to: now.get(it.id)! })),
    modelBefore: before.model,
    modelAfter: after.model,
  };
}

function Changes({ change }: { change: ListChange }) {
  const { event } = change;
  const same = change.entered.length === 0 && change.left.length === 0 && change.moved.length === 0;
  return (
    <div className="panel changes" data-testid="changes">
      <h2>What changed after {event.kind} on {event.item}</h2>
      {change.modelBefore !== change.modelAfter && (
        <p>
          Ranked by <strong>{change.modelAfter}</strong> now (was {change.modelBefore}).
        </p>
      )}
      {same && <p>The top {K} did not change.</p>}
      {change.entered.length > 0 && (
        <p data-testid="entered">
          <strong>New in the top {K}:</strong>{' '}
          {change.entered.map((it) => (
            <span key={it.id} className="tag in">
              <Link to={`items/${seg(it.id)}`}>{it.title ?? it.id}</Link>
            </span>
          ))}
        </p>
      )}
      {change.left.length > 0 && (
        <p data-testid="left">
          <strong>Dropped out:</strong>{' '}
          {change.left.map((it) => (
            <span key={it.id} className="tag out">
              <Link to={`items/${seg(it.id)}`}>{it.title ?? it.id}</Link>
            </span>
          ))}
        </p>
      )}
      {change.moved.length > 0 && (
        <p>
          <strong>Moved:</strong>{' '}
          {change.moved.map((m) => (
            <span key={m.item.id} className="tag">
              {m.item.title ?? m.item.id}: {m.from} → {m.to}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

function Recommendations({ recs, onInteract, busy }: { recs: Recommendation; onInteract: (item: string) => void; busy: boolean }) {
  return (
    <>
      <p className="muted">
        Ranked by <strong data-testid="rec-model">{recs.model}</strong>
        {recs.fallback ? ' (fallback: popularity)' : ''}. Seen items are never recommended.
      </p>
      {recs.items.length === 0 ? (
        <p className="muted">Nothing left to recommend.</p>
      ) : (
        <table className="list" data-testid="recommendations">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>item</th>
              <th className="num">score</th>
              <th>why</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {recs.items.map((it, i) => (
              <tr key={it.id} data-item={it.id}>
                <td className="num">{i + 1}</td>
                <td>
                  <Link to={`items/${seg(it.id)}`}>{it.title ?? it.id}</Link>
                  {it.title && <div className="muted small">{it.id}</div>}
                </td>
                <td className="num">{num(it.score)}</td>
                <td className="reasons">
                  {it.reasons.map((r, j) => (
                    <div key={j}>{r}</div>
                  ))}
                </td>
                <td>
                  <button type="button" disabled={busy} onClick={() => onInteract(it.id)} title="post an event: this user interacted with this item" data-testid={`interact-${it.id}`}>
                    + event
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function EventForm({ onPost, busy }: { onPost: (item: string, kind: string, value: number) => void; busy: boolean }) {
  const [item, setItem] = useState('');
  const [kind, setKind] = useState('interaction');
  const [value, setValue] = useState('1');
  const suggestions = useApi<{ items: Counted[] }>(item.trim().length >= 2 ? `/dashboard/api/items?limit=10&q=${encodeURIComponent(item.trim())}` : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (item.trim()) onPost(item.trim(), kind, Number(value));
  };
  return (
    <form className="event-form" onSubmit={submit} data-testid="event-form">
      <input list="item-suggestions" placeholder="item id" value={item} onChange={(e) => setItem(e.target.value)} aria-label="item id" required />
      <datalist id="item-suggestions">
        {(suggestions.data?.items ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {s.title ?? ''}
          </option>
        ))}
      </datalist>
      <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="kind">
        {['interaction', 'click', 'purchase', 'rating'].map((k) => (
          <option key={k}>{k}</option>
        ))}
      </select>
      <input type="number" step="any" value={value} onChange={(e) => setValue(e.target.value)} aria-label="value" className="narrow" />
      <button type="submit" disabled={busy}>
        Post event
      </button>
    </form>
  );
}

export function UserPage({ id }: { id: string }) {
  const user = useApi<UserData>(`/dashboard/api/users/${seg(id)}`);
  const recs = useApi<Recommendation>(`/recommend/${seg(id)}?k=${K}&explain=true`);
  const [change, setChange] = useState<ListChange>();
  const [postError, setPostError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const post = async (item: string, kind: string, value: number) => {
    const before = recs.data;
    setBusy(true);
    setPostError(undefined);
    try {
      await api('/events', { method: 'POST', body: { events: [{ user: id, item, kind, value: Number.isFinite(value) ? value : 1 }] } });
      const [after] = await Promise.all([recs.reload(), user.reload()]);
      if (before && after) setChange(listChange(before, after, { item, kind, value }));
    } catch (err) {
      setPostError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1>
        User <span data-testid="user-id">{id}</span>
      </h1>
      <Async state={user}>
        {(u) => (
          <div className="columns">
            <div className="panel">
              <h2>About</h2>
              <p>
                <strong data-testid="user-events">{num(u.events)}</strong> events.{' '}
                {u.model
                  ? `${u.model.label} ${u.model.trainedOnUser ? 'was trained on this user' : 'has not seen this user'}${u.model.newerEvents ? '; newer events are folded in at request time, without retraining' : ''}.`
                  : 'No model is trained.'}
              </p>
              <AttributeTable attributes={u.attributes} />
            </div>
          </div>
        )}
      </Async>
      <div className="panel">
        <h2>Recommendations</h2>
        <Async state={recs}>{(r) => <Recommendations recs={r} onInteract={(item) => void post(item, 'interaction', 1)} busy={busy} />}</Async>
        <h3>Post an event for this user</h3>
        <EventForm onPost={(item, kind, value) => void post(item, kind, value)} busy={busy} />
        {postError && <ErrorBox error={postError} />}
      </div>
      {change && <Changes change={change} />}
      <Async state={user}>
        {(u) => (
          <div className="panel">
            <h2>History (latest {u.history.length})</h2>
            <table className="list" data-testid="history">
              <thead>
                <tr>
                  <th>when</th>
                  <th>item</th>
                  <th>kind</th>
                  <th className="num">value</th>
                </tr>
              </thead>
              <tbody>
                {u.history.map((e) => (
                  <tr key={e.seq} data-item={e.id}>
                    <td>{date(e.ts)}</td>
                    <td>
                      <Link to={`items/${seg(e.id)}`}>{e.title ?? e.id}</Link>
                    </td>
                    <td>{e.kind}</td>
                    <td className="num">{num(e.value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </section>
  );
}
