import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel, loadModel } from '../../src/models/index.js';
import type { Bert4Rec } from '../../src/models/bert4rec.js';
import { chainWalks, hitRate } from './sequence-helpers.js';

const small = { maxLength: 12, dim: 32, layers: 1, heads: 2, dropout: 0.1, batchSize: 64, learningRate: 0.005, validateEvery: 2, patience: 3 };

test('bert4rec learns planted order from masked items and beats popularity by a wide margin', async () => {
  const { train, valid, test: target } = chainWalks(7);
  const model = createModel('bert4rec', { ...small, epochs: 30, maskProb: 0.3 });
  await model.fit(train, { seed: 1, threads: 1, valid });
  const pop = createModel('popularity');
  await pop.fit(train, { seed: 1, threads: 1 });
  const hr = hitRate(model, train, valid, target);
  const hrPop = hitRate(pop, train, valid, target);
  assert.ok(hr > 0.8 && hr > 1.8 * hrPop, `bert4rec HR@10 ${hr} vs popularity ${hrPop}`);
});

test('bert4rec: reproducible, save/load gives identical scores, foldIn appends [mask] to the given history', async () => {
  const { train, valid } = chainWalks(3, 120, 40);
  const fit = async () => {
    const m = createModel('bert4rec', { ...small, epochs: 3 }) as Bert4Rec;
    await m.fit(train, { seed: 5, threads: 1, valid });
    return m;
  };
  const a = await fit();
  const b = await fit();
  assert.deepEqual(a.trainingLog.map((e) => e.loss), b.trainingLog.map((e) => e.loss));
  const loaded = loadModel(a.save());
  const s1 = new Float32Array(train.nItems);
  const s2 = new Float32Array(train.nItems);
  for (const u of [1, 50]) {
    a.scoreUser(u, s1);
    loaded.scoreUser(u, s2);
    assert.deepEqual(s1, s2);
  }
  // foldIn on the user's own train + valid history reproduces scoreUser (typed-array forward == tfjs)
  const history = Int32Array.from([...train.byUser.rowIndices(1)]);
  const order = Array.from(train.interactions.user.keys()).filter((r) => train.interactions.user[r] === 1).sort((x, y) => train.interactions.ts[x]! - train.interactions.ts[y]!);
  const items = Int32Array.from([...order.map((r) => train.interactions.item[r]!), ...Array.from(valid.user.keys()).filter((r) => valid.user[r] === 1).map((r) => valid.item[r]!)]);
  assert.equal(history.length + 1, items.length);
  loaded.foldIn!({ items }, s2);
  a.scoreUser(1, s1);
  for (let i = 0; i < s1.length; i++) assert.ok(Math.abs(s1[i]! - s2[i]!) < 1e-3, `item ${i}: ${s1[i]} vs ${s2[i]}`);
});
