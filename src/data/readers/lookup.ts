import { resolve } from 'node:path';
import { RowError } from '../../errors.js';
import { type RowAt, type RowIssues, parseId } from '../validate.js';
import type { LookupMapping } from './mapping.js';
import { cellText, forEachRow } from './rows.js';

/** A lookup table read: id -> name, and where it came from (for the error on an id it lacks). */
export interface Lookup {
  file: string;
  names: Map<string, string>;
}

/**
 * Reads a two-column lookup table (tag id -> tag name). A repeated id, or an id or name left empty,
 * is a bad row naming the file, line and field.
 */
export async function readLookup(m: LookupMapping, baseDir: string, issues: RowIssues): Promise<Lookup> {
  const file = resolve(baseDir, m.path);
  const names = new Map<string, string>();
  const lineOf = new Map<string, number>();
  await forEachRow(m, file, 'lookup table', [m.key, m.value], issues, (get, at) => {
    const key = parseId(at, m.key, cellText(at, m.key, get(0)));
    const name = cellText(at, m.value, get(1))?.trim() ?? '';
    if (name === '') throw new RowError(at.file, at.line, m.value, name, 'is empty (a name is required)');
    const first = lineOf.get(key);
    if (first !== undefined) throw new RowError(at.file, at.line, m.key, key, `repeats the id of line ${first}`);
    lineOf.set(key, at.line);
    names.set(key, name);
  });
  return { file, names };
}

/** The name of `id`, or a RowError at the row that used it. */
export function lookUp(lookup: Lookup, at: RowAt, field: string, id: string): string {
  const name = lookup.names.get(id);
  if (name === undefined) throw new RowError(at.file, at.line, field, id, `has no row in the lookup table ${lookup.file}`);
  return name;
}
