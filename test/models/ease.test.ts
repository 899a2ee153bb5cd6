import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cholesky, choleskyInverse } from '../../src/math/cholesky.js';
import { createModel, loadModel } from '../../src/models/index.js';
import { UnirecError } from '../../src/errors.js';
import { plantedBlocks, plantedQuality } from '../helpers/planted.js';
import { dense, randomTrainData } from '../helpers/synthetic.js';

const ctx = { seed: 1, threads: 1 };

test('ease scores match the closed form computed densely', async () => {
  const train = randomTrainData(60, 25, 0.3, 3);
  const lambda = 7;
  for (const values of ['binary', 'value'] as const) {
    const model = createModel('ease', { lambda, values });
    await model.fit(train, ctx);
    const x = dense(train, values === 'binary');
    const n = train.nItems;
    const g = new Float64Array(n * n);
    for (const row of x) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j]! += row[i]! * row[j]!;
    for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
    cholesky(g, n);
    const p = choleskyInverse(g, n);
    const out = new Float32Array(n);
    for (let u = 0; u < train.nUsers; u++) {
      model.scoreUser(u, out);
      for (let j = 0; j < n; j++) {
        let expected = 0;
        for (let i = 0; i < n; i++) if (i !== j) expected += x[u]![i]! * (-p[i * n + j]! / p[j * n + j]!);
        assert.ok(Math.abs(out[j]! - expected) < 1e-4, `${values} user ${u} item ${j}: ${out[j]} vs ${expected}`);
      }
    }
  }
});

test('ease recovers planted blocks: held-out items rank above other blocks and above popularity', async () => {
  const planted = plantedBlocks(5);
  const model = createModel('ease', { lambda: 50 });
  await model.fit(planted.train, ctx);
  const q = plantedQuality(model, planted);
  assert.ok(q.inBlock > 0.85, `in-block share ${q.inBlock}`);
  assert.ok(q.hit > q.popularityHit + 0.3, `hit ${q.hit} vs popularity ${q.popularityHit}`);
  // the items most similar to an item are mostly from its own block
  let same = 0;
  for (let item = 0; item < planted.train.nItems; item++) {
    const sim = model.similarItems!(item, 5);
    assert.ok(sim.indices.length <= 5 && !sim.indices.includes(item));
    for (const i of sim.indices) if (planted.blockOfItem[i] === planted.blockOfItem[item]) same++;
  }
  assert.ok(same / (5 * planted.train.nItems) > 0.9, `similar items in the same block: ${same}`);
});

test('ease gives the same bits with 1 and 2 threads and after save/load; fold-in equals scoring', async () => {
  const train = randomTrainData(300, 150, 0.05, 9);
  const one = createModel('ease', { lambda: 30 });
  await one.fit(train, ctx);
  const two = createModel('ease', { lambda: 30 });
  await two.fit(train, { seed: 1, threads: 2 });
  const restored = loadModel(structuredClone(one.save()));
  const [a, b, c, d] = Array.from({ length: 4 }, () => new Float32Array(train.nItems));
  for (let u = 0; u < train.nUsers; u += 13) {
    one.scoreUser(u, a);
    two.scoreUser(u, b);
    restored.scoreUser(u, c);
    one.foldIn!({ items: train.byUser.rowIndices(u) }, d);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    assert.deepEqual(d, a);
  }
});

test('ease explanations add up to the score, largest first', async () => {
  const train = randomTrainData(80, 30, 0.3, 2);
  const model = createModel('ease', { lambda: 10 });
  await model.fit(train, ctx);
  const out = new Float32Array(train.nItems);
  model.scoreUser(4, out);
  const reasons = model.explain!(4, 7, 1000);
  const total = reasons.reduce((s, r) => s + r.weight, 0);
  assert.ok(Math.abs(total - out[7]!) < 1e-4);
  for (let t = 1; t < reasons.length; t++) assert.ok(reasons[t - 1]!.weight >= reasons[t]!.weight);
  assert.equal(model.explain!(4, 7).length, 3);
});

test('ease refuses an item count whose matrices exceed maxMemoryMB, saying how large and what to do', async () => {
  const train = randomTrainData(20, 600, 0.05, 1);
  const model = createModel('ease', { maxMemoryMB: 1 });
  await assert.rejects(model.fit(train, ctx), (err: unknown) => {
    assert.ok(err instanceof UnirecError);
    assert.match(err.message, /600 items need 4 MB/);
    assert.match(err.message, /itemknn or als/);
    assert.match(err.message, /--kcore/);
    return true;
  });
});
