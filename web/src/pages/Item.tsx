import { useApi } from '../api';
import { Async, AttributeTable } from '../components';
import { num } from '../format';
import { Link, seg } from '../router';
import type { ItemPage as ItemData } from '../api-types';

export function ItemPage({ id }: { id: string }) {
  const state = useApi<ItemData>(`/dashboard/api/items/${seg(id)}?k=10`);
  return (
    <section>
      <Async state={state}>
        {(item) => (
          <>
            <h1 data-testid="item-title">{item.title ?? item.id}</h1>
            <p className="muted">
              {item.id} · <strong data-testid="item-events">{num(item.events)}</strong> events
            </p>
            <div className="columns">
              <div className="panel">
                <h2>Attributes</h2>
                <AttributeTable attributes={item.attributes} />
              </div>
              <div className="panel">
                <h2>Similar by behaviour</h2>
                <p className="muted">
                  {item.cf.fallback ? `${item.cf.model}: the served model cannot compare this item, so these are the most popular.` : `Neighbours in ${item.cf.model} (people who interact with one interact with the other).`}
                </p>
                <ol className="ranked" data-testid="similar-cf">
                  {item.cf.items.map((s) => (
                    <li key={s.id}>
                      <Link to={`items/${seg(s.id)}`}>{s.title ?? s.id}</Link> <span className="muted">{num(s.score)}</span>
                    </li>
                  ))}
                </ol>
              </div>
              <div className="panel">
                <h2>Similar by content</h2>
                <p className="muted">Cosine of the items' attribute features (categories, tags, title words, number bins), whatever model is served.</p>
                {item.content.length === 0 ? (
                  <p className="muted">This item shares no attribute feature with another.</p>
                ) : (
                  <ol className="ranked" data-testid="similar-content">
                    {item.content.map((s) => (
                      <li key={s.id}>
                        <Link to={`items/${seg(s.id)}`}>{s.title ?? s.id}</Link> <span className="muted">{num(s.score)}</span>
                        <div className="small muted">shares {s.shared.join('; ')}</div>
                      </li>
                    ))}
                  </ol>
                )}
              </div>
            </div>
          </>
        )}
      </Async>
    </section>
  );
}
