import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { Gbdt, type GbdtOptions } from '../../src/pipeline/gbdt.js';

const options: GbdtOptions = { trees: 60, depth: 3, learningRate: 0.2, bins: 32, minLeaf: 10, l2: 1, loss: 'logistic' };

/** Labels from a non-linear rule a linear model cannot express: positive inside a band of x0, when x1 > 0. */
function planted(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    x[3 * t] = rng.next() * 4 - 2;
    x[3 * t + 1] = rng.next() * 2 - 1;
    x[3 * t + 2] = rng.next(); // noise
    const inside = Math.abs(x[3 * t]!) < 0.7 && x[3 * t + 1]! > 0;
    y[t] = rng.next() < (inside ? 0.9 : 0.1) ? 1 : 0;
  }
  return { x, y };
}

test('gbdt (logistic) learns a non-linear rule and ignores the noise input', () => {
  const train = planted(4000, 1);
  const model = Gbdt.fit(train.x, train.y, 3, options);
  const held = planted(2000, 2);
  let correct = 0;
  for (let t = 0; t < 2000; t++) correct += (model.predict(held.x, 3 * t) > 0 ? 1 : 0) === held.y[t] ? 1 : 0;
  // the Bayes rate is 0.9
  assert.ok(correct / 2000 > 0.85, `held-out accuracy ${correct / 2000}`);
  const use = model.featureUse();
  assert.ok(use[2]! < Math.min(use[0]!, use[1]!), `splits per input ${use}`);
  const restored = Gbdt.fromArrays(structuredClone(model.toArrays()));
  assert.equal(restored.predict(held.x, 30), model.predict(held.x, 30));
});

test('gbdt (pairwise LambdaRank) orders each query by the planted relevance', () => {
  const rng = new Rng(5);
  const perQuery = 20;
  const queries = 200;
  const x = new Float32Array(queries * perQuery * 2);
  const y = new Float32Array(queries * perQuery);
  const groups = Int32Array.from({ length: queries + 1 }, (_, q) => q * perQuery);
  for (let t = 0; t < y.length; t++) {
    x[2 * t] = rng.next();
    x[2 * t + 1] = rng.next();
    y[t] = x[2 * t]! + 0.2 * rng.normal() > 0.8 ? 1 : 0; // relevance driven by input 0
  }
  const model = Gbdt.fit(x, y, 2, { ...options, loss: 'pairwise' }, groups);
  // pairs (relevant, not) ordered correctly across all queries
  let good = 0;
  let pairs = 0;
  for (let q = 0; q < queries; q++) {
    for (let i = q * perQuery; i < (q + 1) * perQuery; i++) {
      if (!y[i]) continue;
      for (let j = q * perQuery; j < (q + 1) * perQuery; j++) {
        if (y[j]) continue;
        pairs++;
        if (model.predict(x, 2 * i) > model.predict(x, 2 * j)) good++;
      }
    }
  }
  assert.ok(good / pairs > 0.85, `pairwise accuracy ${good / pairs}`);
  assert.throws(() => Gbdt.fit(x, y, 2, { ...options, loss: 'pairwise' }), /query groups/);
});
