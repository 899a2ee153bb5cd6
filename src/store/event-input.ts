import { UnirecError } from '../errors.js';
import type { EventInput } from './store.js';

/** The kind of an event posted without one. */
export const DEFAULT_KIND = 'interaction';

/** The store's own guard (the HTTP layer validates first): a wrong event fails its whole batch. */
export function checkEvent(e: EventInput, index: number): void {
  const fail = (why: string): never => {
    throw new UnirecError(`event ${index}: ${why}`);
  };
  if (typeof e.user !== 'string' || e.user === '') fail('user must be a non-empty string');
  if (typeof e.item !== 'string' || e.item === '') fail('item must be a non-empty string');
  if (e.value !== undefined && !(typeof e.value === 'number' && Number.isFinite(e.value))) fail('value must be a finite number');
  if (e.ts !== undefined && typeof e.ts !== 'number') fail('ts must be a number (Unix seconds)');
  if (e.kind !== undefined && (typeof e.kind !== 'string' || e.kind === '')) fail('kind must be a non-empty string');
  if (e.key !== undefined && (typeof e.key !== 'string' || e.key === '')) fail('key must be a non-empty string');
}
