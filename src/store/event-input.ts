import { UnirecError } from '../errors.js';
import type { EventInput } from './store.js';

/** The kind of an event posted without one. */
export const DEFAULT_KIND = 'interaction';

/** The store's own guard (the HTTP layer validates first): a wrong event fails its whole batch. */
export function checkEvent(e: EventInput, index: number): void {
  const fail = (why: string): never => {
    throw new UnirecError(`event ${index}: ${why}`);
  };
  if (!isId(e.user)) fail('user must be a string of well-formed Unicode, not empty or only whitespace');
  if (!isId(e.item)) fail('item must be a string of well-formed Unicode, not empty or only whitespace');
  if (e.value !== undefined && !(typeof e.value === 'number' && Number.isFinite(e.value))) fail('value must be a finite number');
  if (e.ts !== undefined && typeof e.ts !== 'number') fail('ts must be a number (Unix seconds)');
  if (e.kind !== undefined && (typeof e.kind !== 'string' || e.kind === '')) fail('kind must be a non-empty string');
  if (e.key !== undefined && (typeof e.key !== 'string' || e.key === '' || LONE_SURROGATE.test(e.key))) fail('key must be a non-empty string of well-formed Unicode');
}

/** A UTF-16 surrogate not in a pair (SQLite turns every one into U+FFFD, so two ids would become one). */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** An id the store accepts: well-formed Unicode with at least one character that is not whitespace. */
export function isId(id: unknown): id is string {
  return typeof id === 'string' && /\S/.test(id) && !LONE_SURROGATE.test(id);
}
