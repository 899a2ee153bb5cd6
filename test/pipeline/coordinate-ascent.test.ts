import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { coordinateAscent } from '../../src/pipeline/coordinate-ascent.js';

const K = 5;

/**
 * Queries of 40 rows, 3 inputs: relevance planted by a hidden 0.7 x0 + 0.3 x1 (its top 5 per query),
 * each input seeing it only in part, x2 pure noise.
 */
function queries(n: number, seed: number) {
  const rng = new Rng(seed);
  const per = 40;
  const x = new Float64Array(n * per * 3);
  const labels = new Uint8Array(n * per);
  for (let q = 0; q < n; q++) {
    const hidden: number[] = [];
    for (let r = 0; r < per; r++) {
      const t = q * per + r;
      x[3 * t] = rng.normal();
      x[3 * t + 1] = rng.normal();
      x[3 * t + 2] = rng.normal();
      hidden.push(0.7 * x[3 * t]! + 0.3 * x[3 * t + 1]!);
    }
    const cut = [...hidden].sort((a, b) => b - a)[K - 1]!;
    hidden.forEach((h, r) => (labels[q * per + r] = h >= cut ? 1 : 0));
  }
  const groups = Int32Array.from({ length: n + 1 }, (_, q) => q * per);
  return { x, labels, groups, relevant: new Int32Array(n).fill(K) };
}

/** Mean NDCG@K of the linear scores w . x. */
function ndcg(w: ArrayLike<number>, data: ReturnType<typeof queries>): number {
  let sum = 0;
  const n = data.groups.length - 1;
  for (let q = 0; q < n; q++) {
    const rows = Array.from({ length: data.groups[q + 1]! - data.groups[q]! }, (_, r) => data.groups[q]! + r);
    const score = (t: number) => w[0]! * data.x[3 * t]! + w[1]! * data.x[3 * t + 1]! + w[2]! * data.x[3 * t + 2]!;
    rows.sort((a, b) => score(b) - score(a));
    let dcg = 0;
    let ideal = 0;
    for (let r = 0; r < K; r++) {
      if (data.labels[rows[r]!]) dcg += 1 / Math.log2(r + 2);
      ideal += 1 / Math.log2(r + 2);
    }
    sum += dcg / ideal;
  }
  return sum / n;
}

test('coordinate ascent on NDCG recovers the planted mix of two inputs and leaves the noise out', () => {
  const train = queries(150, 1);
  const w = coordinateAscent(train.x, train.labels, train.groups, train.relevant, 3, { k: K, passes: 20, tolerance: 1e-6 }, new Rng(3));
  assert.ok(Math.abs(Math.abs(w[0]!) + Math.abs(w[1]!) + Math.abs(w[2]!) - 1) < 1e-9, `L1 norm 1: ${w}`);
  // the planted ratio is 0.7 : 0.3 (x0 alone starts it off), the noise weight small
  const ratio = w[1]! / w[0]!;
  assert.ok(w[0]! > 0 && ratio > 0.25 && ratio < 0.8, `weights ${Array.from(w)}`);
  assert.ok(Math.abs(w[2]!) < 0.15, `noise weight ${w[2]}`);

  // on held-out queries it ranks better than either input alone and close to the hidden rule
  const held = queries(150, 2);
  const learned = ndcg(w, held);
  assert.ok(learned > ndcg([1, 0, 0], held) + 0.05, `learned ${learned} vs x0 alone ${ndcg([1, 0, 0], held)}`);
  assert.ok(learned > 0.9 * ndcg([0.7, 0.3, 0], held), `learned ${learned} vs the hidden rule ${ndcg([0.7, 0.3, 0], held)}`);
});

test('coordinate ascent starts from the best single input, signs included', () => {
  const train = queries(60, 4);
  // x1 becomes the hidden rule negated and x0 is zeroed: the best single input is -x1
  for (let t = 0; t < train.labels.length; t++) {
    train.x[3 * t + 1] = -(0.7 * train.x[3 * t]! + 0.3 * train.x[3 * t + 1]!);
    train.x[3 * t] = 0;
  }
  const w = coordinateAscent(train.x, train.labels, train.groups, train.relevant, 3, { k: K, passes: 1, tolerance: 0 }, new Rng(1));
  assert.ok(w[1]! < 0 && Math.abs(w[1]!) > 0.9, `weights ${Array.from(w)}`);
});
