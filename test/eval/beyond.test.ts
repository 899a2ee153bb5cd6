import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttributeTable, multiFromLists } from '../../src/data/attributes.js';
import { Csr } from '../../src/data/csr.js';
import { beyondAccuracy, coverage, diversity, gini, meanPopularity, novelty, popularityPercentiles } from '../../src/eval/beyond.js';
import { cosineSimilarity, itemSimilarityFor, jaccardSimilarity } from '../../src/eval/item-similarity.js';
import { Rng } from '../../src/math/rng.js';
import { unitRows } from '../../src/models/latent-item-space.js';

const close = (actual: number, expected: number, what = 'value'): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

const lists = [Int32Array.from([0, 1]), Int32Array.from([0, 2]), Int32Array.from([1])];

/** item x user CSR from per-item user lists */
function itemUsers(rows: number[][], nUsers: number): Csr {
  const r: number[] = [];
  const c: number[] = [];
  rows.forEach((users, i) => users.forEach((u) => (r.push(i), c.push(u))));
  return Csr.fromCoo(rows.length, nUsers, Int32Array.from(r), Int32Array.from(c), new Float32Array(r.length).fill(1));
}

test('coverage: distinct recommended items over the catalogue', () => {
  close(coverage(lists, 2, 4), 3 / 4);
  close(coverage(lists, 1, 4), 2 / 4); // {0, 1}
});

test('novelty: mean self-information, pop 0 counted as 1', () => {
  const pop = Int32Array.from([3, 1, 0, 2]);
  const expected = ((-Math.log2(3 / 4) + 2) / 2 + (-Math.log2(3 / 4) + 2) / 2 + 2) / 3;
  close(novelty(lists, 2, pop, 4), expected);
});

test('popularity percentiles and mean popularity', () => {
  assert.deepEqual(Array.from(popularityPercentiles(Int32Array.from([3, 1, 0, 2]))), [1, 1 / 3, 0, 2 / 3]);
  // ties share their mean rank: pop 1,1 hold ranks 1 and 2 -> 1.5 / 3
  assert.deepEqual(Array.from(popularityPercentiles(Int32Array.from([1, 1, 0, 5]))), [0.5, 0.5, 0, 1]);
  const pct = popularityPercentiles(Int32Array.from([3, 1, 0, 2]));
  close(meanPopularity(lists, 2, pct), ((1 + 1 / 3) / 2 + (1 + 0) / 2 + 1 / 3) / 3);
});

test('gini of exposure', () => {
  // exposures 2, 2, 1, 0 -> sorted 0 1 2 2: (-3*0 - 1*1 + 1*2 + 3*2) / (4 * 5)
  close(gini(lists, 2, 4), 7 / 20);
  close(gini([Int32Array.from([0, 1]), Int32Array.from([2, 3])], 2, 4), 0, 'equal exposure');
  close(gini([Int32Array.from([0]), Int32Array.from([0])], 1, 4), 3 / 4, 'one item takes all');
});

test('diversity with jaccard of genres', () => {
  // 0 {a,b}, 1 {b}, 2 {c}, 3 {}
  const col = multiFromLists(['a', 'b', 'c'], [[0, 1], [1], [2], []]);
  const sim = jaccardSimilarity(col as Extract<typeof col, { kind: 'multi' }>);
  // list 0 1 2: sims 1/2, 0, 0 -> mean distance 1 - 1/6; list 0 1: 1 - 1/2; list 3 skipped (one item)
  close(diversity([Int32Array.from([0, 1, 2]), Int32Array.from([0, 1]), Int32Array.from([3])], 3, sim), (5 / 6 + 1 / 2) / 2);
  const table = new AttributeTable(4);
  table.columns.set('genres', col);
  assert.match(itemSimilarityFor(itemUsers([[], [], [], []], 1), table).basis, /genres/);
});

test('diversity with cosine of train user-vectors, per list and with the co-occurrence table', () => {
  // item 0: users 0 1 2; item 1: user 0; item 2: nobody; item 3: users 1 2
  const byItem = itemUsers([[0, 1, 2], [0], [], [1, 2]], 3);
  const s = 1 / Math.sqrt(3) + 2 / Math.sqrt(6) + 0;
  for (const sim of [cosineSimilarity(byItem), cosineSimilarity(byItem, Int32Array.from([0, 1, 2, 3]))]) {
    close(diversity([Int32Array.from([0, 1, 3])], 3, sim), 1 - s / 3);
    close(diversity([Int32Array.from([0, 2])], 2, sim), 1, 'an item without users is at distance 1');
  }
  // an item outside the table falls back to counting the list directly
  close(diversity([Int32Array.from([0, 1, 3])], 3, cosineSimilarity(byItem, Int32Array.from([0, 1]))), 1 - s / 3);
  assert.match(itemSimilarityFor(byItem).basis, /cosine/);
});

test('cosine list similarity matches naive row merges, lists longer than 32 items', () => {
  const rng = new Rng(11);
  const nItems = 80;
  const nUsers = 50;
  const rows = Array.from({ length: nItems }, () => Array.from({ length: nUsers }, (_, u) => u).filter(() => rng.next() < 0.2));
  const byItem = itemUsers(rows, nUsers);
  const perList = cosineSimilarity(byItem);
  const table = cosineSimilarity(byItem, Int32Array.from({ length: nItems }, (_, i) => i));
  for (const L of [5, 40, 70]) {
    const items = rng.shuffle(Int32Array.from({ length: nItems }, (_, i) => i)).slice(0, L);
    let naive = 0;
    for (let p = 0; p < L; p++) {
      for (let q = p + 1; q < L; q++) {
        const a = rows[items[p]!]!;
        const b = rows[items[q]!]!;
        const common = a.filter((u) => b.includes(u)).length;
        if (a.length && b.length) naive += common / Math.sqrt(a.length * b.length);
      }
    }
    close(perList.sumPairs(items), naive, `L=${L}`);
    close(perList.sumPairs(items), naive, `L=${L} again (masks cleared)`);
    close(table.sumPairs(items), naive, `L=${L} table`);
  }
});

test('beyondAccuracy names every metric at every K', () => {
  const byItem = itemUsers([[0, 1, 2], [0], [], [1, 2]], 3);
  const m = beyondAccuracy(lists, [1, 2], byItem);
  assert.deepEqual(Object.keys(m).sort(), [
    'coverage@1', 'coverage@2', 'diversity@1', 'diversity@2', 'diversity_cf@1', 'diversity_cf@2', 'gini@1', 'gini@2',
    'novelty@1', 'novelty@2', 'popularity@1', 'popularity@2',
  ]);
  close(m['coverage@2']!, 3 / 4);
  // without item labels both diversities are over train user-vectors
  close(m['diversity_cf@2']!, m['diversity@2']!);
});

test('diversity_latent: 1 - mean pairwise cosine of the items in the taste space, negative cosines count as 0', () => {
  const byItem = itemUsers([[0, 1, 2], [0], [], [1, 2]], 3);
  // items 0 and 1 point the same way, item 2 is orthogonal to 0, item 3 opposite to 0
  const space = unitRows(Float32Array.of(1, 0, 2, 0, 0, 1, -1, 0), 4, 2);
  close(space.data[2]!, 1, 'rows are L2-normalised');
  const m = beyondAccuracy([Int32Array.of(0, 1), Int32Array.of(0, 2), Int32Array.of(0, 3)], [2], byItem, undefined, space);
  close(m['diversity_latent@2']!, (0 + 1 + 1) / 3);
  assert.equal(beyondAccuracy(lists, [2], byItem)['diversity_latent@2'], undefined, 'only with a taste space');
});
