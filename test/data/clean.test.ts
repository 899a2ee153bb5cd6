import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { cleanDataset, dedupe, kcore, kcoreRows, minRating, toImplicit } from '../../src/data/clean.js';
import type { Dataset } from '../../src/data/dataset.js';
import { IdMap } from '../../src/data/idmap.js';
import { Interactions } from '../../src/data/interactions.js';

/** A dataset from [user, item, value, ts] rows with external ids; item titles are "title <id>". */
function dataset(rows: [string, string, number, number][], extra: Partial<Dataset> = {}): Dataset {
  const users = new IdMap();
  const items = new IdMap();
  const x = new Interactions(
    Int32Array.from(rows, (r) => users.add(r[0])),
    Int32Array.from(rows, (r) => items.add(r[1])),
    Float32Array.from(rows, (r) => r[2]),
    Float64Array.from(rows, (r) => r[3]),
  );
  const b = new AttributeTableBuilder({ title: 'text' });
  for (let i = 0; i < items.size; i++) b.setText('title', i, `title ${items.external(i)}`);
  return { name: 't', source: 'synthetic', users, items, interactions: x, itemTable: b.build(items.size), hasRatings: true, hasTime: true, notes: [], ...extra };
}

/** Rows as [user, item, value, ts] with external ids, for comparisons. */
function rowsOf(ds: Dataset): [string, string, number, number][] {
  const x = ds.interactions;
  return Array.from({ length: x.length }, (_, r) => [ds.users.external(x.user[r]!), ds.items.external(x.item[r]!), x.value[r]!, x.ts[r]!]);
}

// u1-a three times (times 5, 9, 9), u1-b twice (no order: NaN), u2-a once.
const REPEATS: [string, string, number, number][] = [
  ['u1', 'a', 4, 5],
  ['u1', 'b', 1, NaN],
  ['u2', 'a', 3, 1],
  ['u1', 'a', 2, 9],
  ['u1', 'b', 5, NaN],
  ['u1', 'a', 1, 9],
];

test('dedupe policies: last, first, max, sum; ties and missing times fall back to file order', () => {
  const ds = dataset(REPEATS);
  assert.deepEqual(rowsOf(dedupe(ds, 'last')), [['u2', 'a', 3, 1], ['u1', 'b', 5, NaN], ['u1', 'a', 1, 9]]);
  assert.deepEqual(rowsOf(dedupe(ds, 'first')), [['u1', 'a', 4, 5], ['u1', 'b', 1, NaN], ['u2', 'a', 3, 1]]);
  assert.deepEqual(rowsOf(dedupe(ds, 'max')), [['u1', 'a', 4, 5], ['u2', 'a', 3, 1], ['u1', 'b', 5, NaN]]);
  assert.deepEqual(rowsOf(dedupe(ds, 'sum')), [['u2', 'a', 3, 1], ['u1', 'b', 6, NaN], ['u1', 'a', 7, 9]]);
  assert.deepEqual(dedupe(ds, 'last').notes, ['dedupe (last): removed 3 repeated (user, item) rows']);
  assert.equal(ds.interactions.length, 6, 'the input is not changed');

  const x = dedupe(ds.interactions, 'sum');
  assert.ok(x instanceof Interactions);
  assert.deepEqual([...x.value], [3, 6, 7]);
});

test('dedupe carries the folds over to the new row numbers', () => {
  const ds = dataset(REPEATS, { folds: [Int32Array.of(0, 2), Int32Array.of(3, 5)] });
  const out = dedupe(ds, 'last');
  // kept rows 2, 4, 5 -> new 0, 1, 2
  assert.deepEqual(out.folds!.map((f) => [...f]), [[0], [2]]);
  assert.match(out.notes.join('\n'), /folds: 2 test rows went with the removed rows/);
});

test('minRating keeps value >= r, and is ignored with a note on implicit data', () => {
  const ds = dataset([['u', 'a', 3.5, 1], ['u', 'b', 4, 2], ['v', 'a', 5, 3]]);
  assert.deepEqual(rowsOf(minRating(ds, 4)).map((r) => r[2]), [4, 5]);
  assert.match(minRating(ds, 4).notes[0]!, /removed 1 row rated below 4/);
  const implicit = minRating({ ...ds, hasRatings: false }, 4);
  assert.equal(implicit.interactions.length, 3);
  assert.match(implicit.notes[0]!, /ignored: this data has no ratings/);
});

test('kcore iterates until stable (one pass is not enough) and renumbers ids, tables and folds', () => {
  // n = 2. Pass 1 removes c-3 (item 3 has one row); then user c has one row left, so pass 2 removes
  // c-2. a and b keep items 1 and 2 with two rows each.
  const ds = dataset(
    [['a', '1', 1, 0], ['c', '2', 1, 0], ['a', '2', 1, 0], ['b', '1', 1, 0], ['c', '3', 1, 0], ['b', '2', 1, 0]],
    { folds: [Int32Array.of(1, 2), Int32Array.of(5)] },
  );
  ds.items.add('catalogue-only');
  ds.itemTable = ds.itemTable!.remap(Int32Array.of(0, 1, 2), 4);

  const { keep, passes } = kcoreRows(ds.interactions, ds.users.size, ds.items.size, 2);
  assert.deepEqual([...keep], [1, 0, 1, 1, 0, 1]);
  assert.equal(passes, 3, 'two passes that remove rows, one that finds nothing');

  const out = kcore(ds, 2);
  assert.deepEqual(out.users.toArray(), ['a', 'b']);
  assert.deepEqual(out.items.toArray(), ['1', '2']);
  assert.deepEqual(rowsOf(out), [['a', '1', 1, 0], ['a', '2', 1, 0], ['b', '1', 1, 0], ['b', '2', 1, 0]]);
  assert.deepEqual([...out.interactions.item], [0, 1, 0, 1], 'compact dense ids');
  assert.equal(out.itemTable!.size, 2);
  assert.equal(out.itemTable!.title(out.items.get('2')), 'title 2');
  assert.deepEqual(out.folds!.map((f) => [...f]), [[1], [3]]);
  assert.ok(out.notes.includes('kcore 2: removed 2 rows, 1 user and 2 items in 3 passes; ids renumbered'), out.notes.join('\n'));
  assert.throws(() => kcore(ds, 0), /kcore must be a whole number >= 1/);
});

test('toImplicit: binary, linear and log confidence', () => {
  const ds = dataset([['u', 'a', 0, 1], ['u', 'b', 4, 2]]);
  assert.deepEqual([...toImplicit(ds, 'binary').interactions.value], [1, 1]);
  assert.equal(toImplicit(ds, 'binary').hasRatings, false);
  assert.deepEqual([...toImplicit(ds, { confidence: 'linear', alpha: 2 }).interactions.value], [1, 9]);
  const log = toImplicit(ds, { confidence: 'log', alpha: 2, eps: 2 }).interactions.value;
  assert.equal(log[0], 1);
  assert.ok(Math.abs(log[1]! - (1 + 2 * Math.log(3))) < 1e-6);
  assert.deepEqual([...ds.interactions.value], [0, 4], 'the input is not changed');
  assert.throws(() => toImplicit(ds, { confidence: 'log', alpha: -1 }), /alpha must be a positive number/);
});

test('cleanDataset: dedupes last by default, then minRating, implicit and kcore, with notes', () => {
  const ds = dataset(REPEATS);
  const plain = cleanDataset(ds);
  assert.equal(plain.interactions.length, 3);
  assert.deepEqual(plain.notes, ['dedupe (last): removed 3 repeated (user, item) rows']);
  assert.equal(cleanDataset(ds, { dedupe: false }).interactions.length, 6);

  const all = cleanDataset(ds, { dedupe: 'max', minRating: 4, implicit: 'binary', kcore: 1 });
  assert.deepEqual(rowsOf(all), [['u1', 'a', 1, 5], ['u1', 'b', 1, NaN]]);
  assert.deepEqual(all.users.toArray(), ['u1']);
  assert.equal(all.hasRatings, false);
  assert.equal(all.notes.length, 4);
  assert.deepEqual(ds.notes, [], 'the input is not changed');
});
