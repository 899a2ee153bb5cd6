import { useEffect, useState } from 'react';
import { useApi } from '../api';
import { Async } from '../components';
import { num } from '../format';
import { Link, seg } from '../router';
import type { Counted } from '../api-types';

/** A search box over users or items (by id, and title for items), most events first. */
export function SearchList({ kind }: { kind: 'users' | 'items' }) {
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  // Ask the server once typing pauses, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  const state = useApi<Record<string, Counted[]>>(`/dashboard/api/${kind}?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  return (
    <>
      <input
        className="search"
        type="search"
        placeholder={kind === 'users' ? 'user id contains…' : 'item id or title contains…'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-label={`search ${kind}`}
      />
      <Async state={state}>
        {(data) => {
          const rows = data[kind] ?? [];
          if (rows.length === 0) return <p className="muted">No {kind} match.</p>;
          return (
            <table className="list" data-testid={`${kind}-list`}>
              <thead>
                <tr>
                  <th>{kind === 'users' ? 'user' : 'item'}</th>
                  {kind === 'items' && <th>title</th>}
                  <th className="num">events</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`${kind}/${seg(r.id)}`}>{r.id}</Link>
                    </td>
                    {kind === 'items' && <td>{r.title ?? ''}</td>}
                    <td className="num">{num(r.events)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Async>
    </>
  );
}
