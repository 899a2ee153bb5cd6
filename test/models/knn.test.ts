import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel } from '../../src/models/index.js';
import { cosine, dense, naiveTopK, randomTrainData } from '../helpers/synthetic.js';

const ctx = { seed: 1, threads: 1 };

test('itemknn scores match a naive dense implementation', async () => {
  const train = randomTrainData(40, 30, 0.3, 7);
  const k = 5;
  const shrink = 2;
  const model = createModel('itemknn', { k, shrink, values: 'value' });
  await model.fit(train, ctx);
  const r = dense(train, false);
  const columns = Array.from({ length: train.nItems }, (_, i) => r.map((row) => row[i]!));
  const sim = columns.map((a) => columns.map((b) => cosine(a, b, shrink)));
  const neighbours = sim.map((row, i) => naiveTopK(row, k, i));
  const out = new Float32Array(train.nItems);
  for (let u = 0; u < train.nUsers; u++) {
    model.scoreUser(u, out);
    for (let i = 0; i < train.nItems; i++) {
      const expected = neighbours[i]!.reduce((s, j) => s + r[u]![j]! * sim[i]![j]!, 0);
      assert.ok(Math.abs(out[i]! - expected) < 1e-4, `user ${u} item ${i}: ${out[i]} vs ${expected}`);
    }
  }
  assert.deepEqual(Array.from(model.similarItems!(3, k).indices), neighbours[3]);
});

test('userknn scores match a naive dense implementation', async () => {
  const train = randomTrainData(30, 40, 0.3, 11);
  const k = 4;
  const shrink = 1;
  const model = createModel('userknn', { k, shrink, values: 'value' });
  await model.fit(train, ctx);
  const r = dense(train, false);
  const sim = r.map((a) => r.map((b) => cosine(a, b, shrink)));
  const out = new Float32Array(train.nItems);
  for (let u = 0; u < train.nUsers; u++) {
    model.scoreUser(u, out);
    const nb = naiveTopK(sim[u]!, k, u);
    for (let i = 0; i < train.nItems; i++) {
      const expected = nb.reduce((s, v) => s + sim[u]![v]! * r[v]![i]!, 0);
      assert.ok(Math.abs(out[i]! - expected) < 1e-4, `user ${u} item ${i}: ${out[i]} vs ${expected}`);
    }
  }
});

test('knn fold-in of a user unseen at fit time equals scoring them after training with them', async () => {
  const full = randomTrainData(50, 40, 0.25, 3);
  const x = full.interactions;
  const keep = new Uint8Array(x.length).map((_, r) => (x.user[r] === 5 ? 0 : 1));
  const { makeTrainData } = await import('../../src/data/dataset.js');
  const without5 = makeTrainData(x.where(keep), full.nUsers, full.nItems);
  for (const name of ['itemknn', 'userknn']) {
    // itemknn's similarities change when user 5 leaves, so it folds into the full model
    const known = createModel(name, { k: 10 });
    await known.fit(full, ctx);
    const fresh = createModel(name, { k: 10 });
    await fresh.fit(name === 'userknn' ? without5 : full, ctx);
    const a = new Float32Array(full.nItems);
    const b = new Float32Array(full.nItems);
    known.scoreUser(5, a);
    fresh.foldIn!({ items: full.byUser.rowIndices(5) }, b);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-4, `${name} item ${i}: ${a[i]} vs ${b[i]}`);
  }
});

test('knn models give identical results with 1 and 2 threads and after save/load', async () => {
  const { loadModel } = await import('../../src/models/index.js');
  const train = randomTrainData(1100, 1050, 0.02, 5);
  for (const name of ['itemknn', 'userknn']) {
    const one = createModel(name, { k: 20, weighting: 'bm25' });
    await one.fit(train, { seed: 1, threads: 1 });
    const two = createModel(name, { k: 20, weighting: 'bm25' });
    await two.fit(train, { seed: 1, threads: 2 });
    const restored = loadModel(structuredClone(one.save()));
    const a = new Float32Array(train.nItems);
    const b = new Float32Array(train.nItems);
    const c = new Float32Array(train.nItems);
    for (let u = 0; u < train.nUsers; u += 7) {
      one.scoreUser(u, a);
      two.scoreUser(u, b);
      restored.scoreUser(u, c);
      assert.deepEqual(b, a, `${name} threads`);
      assert.deepEqual(c, a, `${name} save/load`);
    }
  }
});

test('itemknn explanation names the history items that drive the score', async () => {
  const train = randomTrainData(60, 40, 0.3, 9);
  const model = createModel('itemknn', { k: 10 });
  await model.fit(train, ctx);
  const out = new Float32Array(train.nItems);
  model.scoreUser(0, out);
  const seen = new Set(train.byUser.rowIndices(0));
  const target = out.findIndex((s, i) => s > 0 && !seen.has(i));
  const reasons = model.explain!(0, target, 100);
  assert.ok(reasons.length > 0);
  const total = reasons.reduce((s, r) => s + r.weight, 0);
  assert.ok(Math.abs(total - out[target]!) < 1e-4, 'contributions add up to the score');
  // removing the top reason's item from the history lowers the score by its weight
  const top = reasons[0]!;
  const history = Int32Array.from([...seen].filter((j) => j !== top.id));
  const without = new Float32Array(train.nItems);
  model.foldIn!({ items: history }, without);
  assert.ok(Math.abs(out[target]! - without[target]! - top.weight) < 1e-4);
});
