import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { Rng } from '../../src/math/rng.js';
import { createModel, loadModel } from '../../src/models/index.js';
import type { Recommender } from '../../src/models/recommender.js';

/** Ratings from a planted rank-3 model plus biases and noise, on 1..5; 20% of them held out. */
function lowRankRatings(seed: number) {
  const rng = new Rng(seed);
  const nUsers = 300;
  const nItems = 120;
  const f = 3;
  const p = Float64Array.from({ length: nUsers * f }, () => rng.normal());
  const q = Float64Array.from({ length: nItems * f }, () => rng.normal());
  const bu = Float64Array.from({ length: nUsers }, () => 0.3 * rng.normal());
  const bi = Float64Array.from({ length: nItems }, () => 0.5 * rng.normal());
  const train: [number, number, number][] = [];
  const test: [number, number, number][] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      if (rng.next() > 0.25) continue;
      let s = 3.5 + bu[u]! + bi[i]! + 0.1 * rng.normal();
      for (let k = 0; k < f; k++) s += 0.5 * p[u * f + k]! * q[i * f + k]!;
      (rng.next() < 0.2 ? test : train).push([u, i, Math.min(5, Math.max(1, s))]);
    }
  }
  const x = new Interactions(
    Int32Array.from(train, (t) => t[0]),
    Int32Array.from(train, (t) => t[1]),
    Float32Array.from(train, (t) => t[2]),
    new Float64Array(train.length),
  );
  return { train: makeTrainData(x, nUsers, nItems, { hasRatings: true }), test };
}

function rmse(model: Recommender, test: [number, number, number][]): number {
  let s = 0;
  for (const [u, i, r] of test) s += (model.predictRating!(u, i) - r) ** 2;
  return Math.sqrt(s / test.length);
}

const data = lowRankRatings(1);

for (const [name, params] of [
  ['mf', { factors: 5, epochs: 60, learningRate: 0.02 }],
  ['svdpp', { factors: 5, epochs: 40, learningRate: 0.01 }],
] as const) {
  test(`${name} recovers planted low-rank ratings far better than biases alone`, async () => {
    const bias = createModel('bias');
    await bias.fit(data.train, { seed: 1, threads: 1 });
    const model = createModel(name, params);
    await model.fit(data.train, { seed: 1, threads: 1 });
    const a = rmse(bias, data.test);
    const b = rmse(model, data.test);
    assert.ok(b < 0.7 * a, `${name} rmse ${b} vs bias ${a}`);
    for (const [u, i] of data.test.slice(0, 50)) {
      const r = model.predictRating!(u, i);
      assert.ok(r >= 1 && r <= 5);
    }
  });

  test(`${name} is deterministic per seed and survives save/load; fold-in ranks like the fitted user`, async () => {
    const fast = { ...params, epochs: 10 };
    const a = createModel(name, fast);
    await a.fit(data.train, { seed: 4, threads: 1 });
    const b = createModel(name, fast);
    await b.fit(data.train, { seed: 4, threads: 2 });
    assert.deepEqual(b.save().arrays, a.save().arrays);
    const restored = loadModel(structuredClone(a.save()));
    const x = new Float32Array(data.train.nItems);
    const y = new Float32Array(data.train.nItems);
    for (let u = 0; u < data.train.nUsers; u += 37) {
      a.scoreUser(u, x);
      restored.scoreUser(u, y);
      assert.deepEqual(y, x);
      assert.equal(restored.predictRating!(u, 3), a.predictRating!(u, 3));
    }
    // fold-in from the user's own ratings agrees in sign of preference with the fitted user on average
    const u = 10;
    a.scoreUser(u, x);
    a.foldIn!({ items: data.train.byUser.rowIndices(u), values: data.train.byUser.rowData(u) }, y);
    let agree = 0;
    let pairs = 0;
    for (let i = 0; i < x.length; i += 3)
      for (let j = i + 1; j < x.length; j += 7) {
        pairs++;
        if (Math.sign(x[i]! - x[j]!) === Math.sign(y[i]! - y[j]!)) agree++;
      }
    assert.ok(agree / pairs > 0.6, `pairwise agreement ${agree / pairs}`);
    const reasons = a.explain!(u, 5, 3);
    assert.equal(reasons.length, 3);
    assert.ok(!a.similarItems!(5, 4).indices.includes(5));
  });
}
