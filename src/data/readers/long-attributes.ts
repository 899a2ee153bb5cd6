import { resolve } from 'node:path';
import { RowError } from '../../errors.js';
import type { AttributeTableBuilder } from '../attributes.js';
import type { IdMap } from '../idmap.js';
import { type RowIssues, parseId, parseNumber } from '../validate.js';
import { readLookup, lookUp } from './lookup.js';
import type { LongAttributesMapping } from './mapping.js';
import { cellText, forEachRow } from './rows.js';

/**
 * Long-format attribute tables: one row per (entity, label) — a tag given to an artist by a user, a
 * category of a product — aggregated per entity into a weighted multi-valued column of the entity's
 * attribute table: the weight of a label is the number of rows giving it (or the sum of their
 * `weight` cells). Labels may be ids into a lookup table (tag id -> tag name). With `value`, rows are
 * entity-attribute-value triples and the attribute cell names the column.
 *
 * Rows are collected into typed arrays (entity, column-and-label code, weight) and summed per entity
 * with a stamp array: no object per row.
 */
export async function readLongAttributes(
  m: LongAttributesMapping,
  baseDir: string,
  ids: IdMap,
  builder: AttributeTableBuilder,
  kind: 'item' | 'user',
  issues: RowIssues,
  notes: string[],
): Promise<void> {
  const file = resolve(baseDir, m.path);
  const lookup = m.lookup && (await readLookup(m.lookup, baseDir, issues));
  const labelField = m.value ?? m.attribute;
  // (column, label) pairs -> code; the column and label of each code
  const keyCode = new Map<string, number>();
  const keyColumn: string[] = [];
  const keyLabel: string[] = [];
  let entity = new Int32Array(1024);
  let key = new Int32Array(1024);
  let weight = new Float64Array(1024);
  let n = 0;
  let unknownRows = 0;
  const unknown = new Set<string>();
  await forEachRow(m, file, `${kind} attributes file`, [m.id, m.attribute, m.value, m.weight], issues, (get, at) => {
    const id = parseId(at, m.id, cellText(at, m.id, get(0)));
    let label = parseId(at, labelField, cellText(at, labelField, m.value === undefined ? get(1) : get(2)));
    if (lookup) label = lookUp(lookup, at, labelField, label);
    const column = m.value === undefined ? (m.name ?? m.attribute) : parseId(at, m.attribute, cellText(at, m.attribute, get(1)));
    if (!builder.hasColumn(column, 'multi') && !isNewColumn(builder, column)) {
      throw new RowError(at.file, at.line, m.attribute, column, `names the ${kind}s' column "${column}", which is not multi-valued`);
    }
    let w = 1;
    if (m.weight !== undefined) {
      const cell = get(3);
      w = typeof cell === 'number' ? parseNumber(at, m.weight, String(cell)) : parseNumber(at, m.weight, cellText(at, m.weight, cell));
      if (!(w > 0)) throw new RowError(at.file, at.line, m.weight, String(w), 'must be a positive weight');
    }
    const dense = ids.get(id);
    if (dense < 0) {
      unknownRows++;
      if (unknown.size < 1000) unknown.add(id);
      return;
    }
    const k = `${column}\u0000${label}`;
    let c = keyCode.get(k);
    if (c === undefined) {
      c = keyColumn.length;
      keyCode.set(k, c);
      keyColumn.push(column);
      keyLabel.push(label);
    }
    if (n === entity.length) {
      entity = grow(entity, new Int32Array(n * 2));
      key = grow(key, new Int32Array(n * 2));
      weight = grow(weight, new Float64Array(n * 2));
    }
    entity[n] = dense;
    key[n] = c;
    weight[n] = w;
    n++;
  });
  if (unknownRows > 0) {
    const examples = [...unknown].slice(0, 3).join(', ');
    notes.push(
      `${unknownRows} row${unknownRows === 1 ? '' : 's'} of ${file} name ${unknown.size >= 1000 ? 'over 1000' : unknown.size} ${kind} id${unknown.size === 1 ? '' : 's'} ` +
        `found in no interactions or ${kind}s file (e.g. ${examples}): ignored`,
    );
  }
  for (const column of new Set(keyColumn)) if (!builder.hasColumn(column, 'multi')) builder.addColumn(column, 'multi');
  aggregate(entity.subarray(0, n), key.subarray(0, n), weight.subarray(0, n), ids.size, keyColumn, keyLabel, builder);
}

/** A column the builder does not have under any kind. */
function isNewColumn(builder: AttributeTableBuilder, column: string): boolean {
  return !(['numeric', 'categorical', 'multi', 'text'] as const).some((k) => builder.hasColumn(column, k));
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Sums the weights per (entity, key) and hands each entity's labels to the builder, heaviest first. */
function aggregate(
  entity: Int32Array,
  key: Int32Array,
  weight: Float64Array,
  nEntities: number,
  keyColumn: string[],
  keyLabel: string[],
  builder: AttributeTableBuilder,
): void {
  const n = entity.length;
  const indptr = new Int32Array(nEntities + 1);
  for (let r = 0; r < n; r++) indptr[entity[r]! + 1]!++;
  for (let e = 0; e < nEntities; e++) indptr[e + 1]! += indptr[e]!;
  const fill = indptr.slice(0, nEntities);
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[fill[entity[r]!]!++] = r;
  const stamp = new Int32Array(keyColumn.length).fill(-1);
  const sum = new Float64Array(keyColumn.length);
  const keys: number[] = [];
  for (let e = 0; e < nEntities; e++) {
    keys.length = 0;
    for (let t = indptr[e]!; t < indptr[e + 1]!; t++) {
      const r = rows[t]!;
      const k = key[r]!;
      if (stamp[k] !== e) {
        stamp[k] = e;
        sum[k] = 0;
        keys.push(k);
      }
      sum[k]! += weight[r]!;
    }
    if (keys.length === 0) continue;
    // by column, then heaviest label first (ties: first seen)
    keys.sort((a, b) => (keyColumn[a]! < keyColumn[b]! ? -1 : keyColumn[a]! > keyColumn[b]! ? 1 : sum[b]! - sum[a]! || a - b));
    let start = 0;
    while (start < keys.length) {
      const column = keyColumn[keys[start]!]!;
      let end = start;
      while (end < keys.length && keyColumn[keys[end]!] === column) end++;
      const part = keys.slice(start, end);
      builder.addMultiWeighted(column, e, part.map((k) => keyLabel[k]!), part.map((k) => sum[k]!));
      start = end;
    }
  }
}
