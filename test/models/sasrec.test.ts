import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { createModel, loadModel } from '../../src/models/index.js';
import type { SasRec } from '../../src/models/sasrec.js';
import { tensorflow } from '../../src/nn/tf.js';
import { SHARED_DATA } from '../helpers/shared-data.js';
import { chainWalks, hitRate } from './sequence-helpers.js';

const small = { maxLength: 12, dim: 32, layers: 1, heads: 2, dropout: 0.1, batchSize: 64, learningRate: 0.005, validateEvery: 2, patience: 3 };

test('sasrec learns planted order (each user walks i -> i+1) and beats popularity by a wide margin', async () => {
  const { train, valid, test: target } = chainWalks(7);
  for (const loss of ['softmax', 'sampled'] as const) {
    const model = createModel('sasrec', { ...small, loss, negatives: 20, epochs: 16 });
    await model.fit(train, { seed: 1, threads: 1, valid });
    const pop = createModel('popularity');
    await pop.fit(train, { seed: 1, threads: 1 });
    const hr = hitRate(model, train, valid, target);
    const hrPop = hitRate(pop, train, valid, target);
    assert.ok(hr > 0.9 && hr > 1.8 * hrPop, `${loss}: sasrec HR@10 ${hr} vs popularity ${hrPop}`);
  }
});

test('sasrec: same seed gives identical weights and losses; foldIn reacts to a new event at once; save/load round trip', async () => {
  const tf = await tensorflow();
  const { train, valid } = chainWalks(3, 120, 40);
  const fit = async () => {
    const m = createModel('sasrec', { ...small, epochs: 3, loss: 'gbce', negatives: 10 }) as SasRec;
    await m.fit(train, { seed: 11, threads: 1, valid });
    return m;
  };
  const before = tf.memory().numTensors;
  const a = await fit();
  const after = tf.memory().numTensors;
  assert.equal(after, before, 'no tensors leak from a fit');
  const b = await fit();
  assert.deepEqual(a.trainingLog.map((e) => e.loss), b.trainingLog.map((e) => e.loss));
  const wa = a.save().arrays;
  const wb = b.save().arrays;
  for (const key of Object.keys(wa)) assert.deepEqual(wa[key], wb[key], `weights ${key} differ between identical runs`);

  // save/load: identical scores (loaded models score without tfjs)
  const loaded = loadModel(a.save());
  const s1 = new Float32Array(train.nItems);
  const s2 = new Float32Array(train.nItems);
  for (const u of [0, 5, 77]) {
    a.scoreUser(u, s1);
    loaded.scoreUser(u, s2);
    assert.deepEqual(s1, s2);
  }
  // foldIn (typed-array forward) on user 5's train + valid history equals the stored tfjs user vector's scores
  const rows = Array.from(train.interactions.user.keys()).filter((r) => train.interactions.user[r] === 5);
  rows.sort((x, y) => train.interactions.ts[x]! - train.interactions.ts[y]!);
  const validRows = Array.from(valid.user.keys()).filter((r) => valid.user[r] === 5);
  const hist = { items: Int32Array.from([...rows.map((r) => train.interactions.item[r]!), ...validRows.map((r) => valid.item[r]!)]) };
  a.foldIn!(hist, s2);
  a.scoreUser(5, s1);
  for (let i = 0; i < s1.length; i++) assert.ok(Math.abs(s1[i]! - s2[i]!) < 1e-3, `foldIn vs scoreUser at item ${i}: ${s2[i]} vs ${s1[i]}`);
  // a new event changes the recommendation immediately
  loaded.foldIn!({ items: Int32Array.from([...hist.items, 20]) }, s1);
  assert.notDeepEqual(s1, s2);
  assert.ok(a.explain!(5, 3).length > 0);
  assert.equal(a.similarItems!(3, 5).indices.length, 5);
});

test('sasrec on ml-100k (loo, full ranking, a small fast config) beats popularity', { skip: !existsSync(join(SHARED_DATA, 'ml-100k')) && 'shared data absent' }, async () => {
  const dataset = cleanDataset(await loadDataset(join(SHARED_DATA, 'ml-100k')));
  const run = (model: string, params: Record<string, unknown> = {}) => runEvaluation({ dataset, model, params, protocol: 'loo', seed: 42, ks: [10] });
  const pop = await run('popularity');
  const sas = await run('sasrec', { maxLength: 20, dim: 32, layers: 1, heads: 1, dropout: 0.1, epochs: 3, loss: 'softmax', learningRate: 0.01, batchSize: 128, validateEvery: 3 });
  assert.ok(sas.metrics['ndcg@10']! > 1.15 * pop.metrics['ndcg@10']!, `sasrec NDCG@10 ${sas.metrics['ndcg@10']} vs popularity ${pop.metrics['ndcg@10']}`);
});
