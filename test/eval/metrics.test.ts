import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { N_RANKING, RANKING_METRICS, rankingMetricsAt, ratingErrors, userAuc } from '../../src/eval/metrics.js';

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

function mask(nItems: number, items: number[]): Uint8Array {
  const m = new Uint8Array(nItems);
  for (const i of items) m[i] = 1;
  return m;
}

/** metrics at each K as { 'recall@K': ... } */
function ranking(top: number[], relevant: number[], ks: number[]): Record<string, number> {
  const out = new Float64Array(ks.length * N_RANKING);
  rankingMetricsAt(Int32Array.from(top), mask(20, relevant), relevant.length, ks, out);
  const r: Record<string, number> = {};
  ks.forEach((k, ki) => RANKING_METRICS.forEach((m, mi) => (r[`${m}@${k}`] = out[ki * N_RANKING + mi]!)));
  return r;
}

function expectAll(actual: Record<string, number>, expected: Record<string, number>): void {
  for (const [key, value] of Object.entries(expected)) close(actual[key]!, value, key);
}

test('ranking metrics: two hits at ranks 2 and 5 of 3 relevant items', () => {
  // top = 3 1 7 2 5, relevant = {1, 5, 9}: hits at ranks 2 and 5
  const r = ranking([3, 1, 7, 2, 5], [1, 5, 9], [1, 3, 5]);
  const idcg3 = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
  expectAll(r, {
    'recall@1': 0, 'precision@1': 0, 'ndcg@1': 0, 'map@1': 0, 'mrr@1': 0, 'hit@1': 0,
    'recall@3': 1 / 3,
    'precision@3': 1 / 3,
    'ndcg@3': 1 / Math.log2(3) / idcg3,
    'map@3': 1 / 2 / 3, // precision@2 at the hit, over min(3, 3)
    'mrr@3': 1 / 2,
    'hit@3': 1,
    'recall@5': 2 / 3,
    'precision@5': 2 / 5,
    'ndcg@5': (1 / Math.log2(3) + 1 / Math.log2(6)) / idcg3,
    'map@5': (1 / 2 + 2 / 5) / 3,
    'mrr@5': 1 / 2,
    'hit@5': 1,
  });
});

test('ranking metrics: fewer relevant items than K, list shorter than K', () => {
  // only 2 items could be ranked; one relevant item, found at rank 2
  const r = ranking([4, 0], [0], [5]);
  expectAll(r, {
    'recall@5': 1,
    'precision@5': 1 / 5, // divided by K, not by the list length
    'ndcg@5': 1 / Math.log2(3), // IDCG over min(1, 5) = 1 item
    'map@5': 1 / 2, // precision@2, over min(1, 5)
    'mrr@5': 1 / 2,
    'hit@5': 1,
  });
});

test('ranking metrics: all relevant at the top gives 1 everywhere except precision', () => {
  const r = ranking([2, 6, 8, 1], [6, 2], [2, 4]);
  expectAll(r, {
    'recall@2': 1, 'precision@2': 1, 'ndcg@2': 1, 'map@2': 1, 'mrr@2': 1, 'hit@2': 1,
    'recall@4': 1, 'precision@4': 1 / 2, 'ndcg@4': 1, 'map@4': 1, 'mrr@4': 1, 'hit@4': 1,
  });
});

test('map@K divides by min(|rel|, K): 4 relevant, K = 2', () => {
  // hits at ranks 1 and 2: (1/1 + 2/2) / min(4, 2) = 1; recall = 2/4
  const r = ranking([0, 1, 9], [0, 1, 2, 3], [2]);
  expectAll(r, { 'map@2': 1, 'recall@2': 1 / 2, 'ndcg@2': 1 });
});

test('userAuc: ties count one half, excluded items are no candidates, NaN lowest', () => {
  const scores = Float32Array.from([0.9, 0.5, 0.5, 0.1, 0.7, NaN]);
  const relevant = Int32Array.from([1, 4]);
  // candidates 1..5; positives 1 (0.5), 4 (0.7); negatives 2 (0.5), 3 (0.1), 5 (NaN)
  // pairs: 1-2 tie 0.5, 1-3 1, 1-5 1, 4-2 1, 4-3 1, 4-5 1 -> 5.5 / 6
  close(userAuc(scores, relevant, mask(6, [0])), 5.5 / 6, 'auc with item 0 excluded');
  // item 0 (0.9) beats both positives: 5.5 / 8
  close(userAuc(scores, relevant), 5.5 / 8, 'auc with every item a candidate');
  // no negative candidate: undefined
  assert.ok(Number.isNaN(userAuc(scores, relevant, mask(6, [0, 2, 3, 5]))));
  // all scores equal: 0.5
  close(userAuc(new Float32Array(5).fill(1), Int32Array.from([0, 3])), 0.5, 'all ties');
});

test('userAuc matches the naive pairwise count on random scores with many ties', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 30;
    const scores = Float32Array.from({ length: n }, () => Math.floor(rng.next() * 6));
    const excluded = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
    const rel: number[] = [];
    for (let i = 0; i < n; i++) if (!excluded[i] && rng.next() < 0.3) rel.push(i);
    if (rel.length === 0) continue;
    let pairs = 0;
    let wins = 0;
    for (const p of rel) {
      for (let i = 0; i < n; i++) {
        if (excluded[i] || rel.includes(i)) continue;
        pairs++;
        wins += scores[p]! > scores[i]! ? 1 : scores[p] === scores[i] ? 0.5 : 0;
      }
    }
    const auc = userAuc(scores, Int32Array.from(rel), excluded);
    if (pairs === 0) assert.ok(Number.isNaN(auc));
    else close(auc, wins / pairs, `trial ${trial}`);
  }
});

test('ratingErrors: rmse and mae', () => {
  // errors -1, 0, 2
  const { rmse, mae } = ratingErrors([3, 4, 5], Float32Array.from([4, 4, 3]));
  close(rmse, Math.sqrt(5 / 3), 'rmse');
  close(mae, 1, 'mae');
});
