import type { ReactNode } from 'react';
import { ApiError, type Loaded } from './api';
import { attributeText } from './format';
import type { Attributes } from './api-types';

/** Loading, error (with what to do about a missing key) or the content. */
export function Async<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorBox error={state.error} />;
  if (state.data === undefined) return <p className="muted">Loading…</p>;
  return <>{children(state.data)}</>;
}

export function ErrorBox({ error }: { error: Error }) {
  const auth = error instanceof ApiError && (error.status === 401 || error.status === 403);
  return (
    <div className="error" role="alert">
      {error.message}
      {auth ? ' — set an API key with the button at the top right.' : ''}
    </div>
  );
}

export function Stat({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

export function AttributeTable({ attributes }: { attributes: Attributes }) {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return <p className="muted">No attributes.</p>;
  return (
    <table className="attributes">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{attributeText(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
