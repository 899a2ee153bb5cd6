import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel, loadModel } from '../../src/models/index.js';
import { topK } from '../../src/math/topk.js';
import { plantedBlocks, plantedQuality } from '../helpers/planted.js';
import { Interactions } from '../../src/data/interactions.js';
import type { EpochRecord } from '../../src/progress.js';

const ctx = { seed: 1, threads: 1 };

test('bpr recovers planted blocks with uniform and with popularity-aware negatives', async () => {
  const planted = plantedBlocks(5);
  for (const negativeSampling of ['uniform', 'popularity'] as const) {
    const model = createModel('bpr', { factors: 8, negativeSampling });
    await model.fit(planted.train, ctx);
    const q = plantedQuality(model, planted);
    assert.ok(q.inBlock > 0.75, `${negativeSampling}: in-block share ${q.inBlock}`);
    assert.ok(q.hit > q.popularityHit + 0.3, `${negativeSampling}: hit ${q.hit} vs popularity ${q.popularityHit}`);
  }
});

test('bpr is deterministic for a seed, differs across seeds, and survives save/load', async () => {
  const planted = plantedBlocks(2);
  const params = { factors: 6, epochs: 5 };
  const a = createModel('bpr', params);
  await a.fit(planted.train, { seed: 7, threads: 1 });
  const b = createModel('bpr', params);
  await b.fit(planted.train, { seed: 7, threads: 2 });
  assert.deepEqual(b.save().arrays, a.save().arrays);
  const c = createModel('bpr', params);
  await c.fit(planted.train, { seed: 8, threads: 1 });
  assert.notDeepEqual(c.save().arrays.itemFactors, a.save().arrays.itemFactors);
  const restored = loadModel(structuredClone(a.save()));
  const x = new Float32Array(planted.train.nItems);
  const y = new Float32Array(planted.train.nItems);
  for (let u = 0; u < planted.train.nUsers; u += 17) {
    a.scoreUser(u, x);
    restored.scoreUser(u, y);
    assert.deepEqual(y, x);
  }
  const history = { items: Int32Array.from([1, 5, 9]) };
  a.foldIn!(history, x);
  restored.foldIn!(history, y);
  assert.deepEqual(y, x);
});

test('bpr fold-in of a new user recommends from the block of their history; explain names history items', async () => {
  const planted = plantedBlocks(3);
  const model = createModel('bpr', { factors: 8 });
  await model.fit(planted.train, ctx);
  // a history inside block 3 (items 60..79)
  const items = Int32Array.from([60, 62, 65, 67, 70, 71, 75]);
  const out = new Float32Array(planted.train.nItems);
  model.foldIn!({ items }, out);
  const seen = new Uint8Array(planted.train.nItems);
  for (const i of items) seen[i] = 1;
  const top = topK(out, 5, seen);
  const inBlock = [...top.indices].filter((i) => planted.blockOfItem[i] === 3).length;
  assert.ok(inBlock >= 4, `top-5 of the folded-in user: ${[...top.indices]}`);
  const reasons = model.explain!(100, 61, 3);
  assert.ok(reasons.length > 0 && reasons.length <= 3);
  const history = new Set(planted.train.byUser.rowIndices(100));
  for (const r of reasons) if (r.kind === 'item') assert.ok(history.has(r.id!));
  const sim = model.similarItems!(61, 5);
  assert.ok(!sim.indices.includes(61));
});

test('bpr with a valid split: one progress line per epoch, early stopping keeps the best validated epoch, the training log says so', async () => {
  const planted = plantedBlocks(4);
  // valid: one held-out in-block item per user (the planted test's first)
  const users = planted.test.map((_, u) => u).filter((u) => planted.test[u]!.length > 0);
  const valid = new Interactions(Int32Array.from(users), Int32Array.from(users, (u) => planted.test[u]![0]!), new Float32Array(users.length).fill(1), new Float64Array(users.length));
  const reported: EpochRecord[] = [];
  const progress = { start: () => ({ tick() {}, done() {} }), epoch: (_label: string, _total: number, r: EpochRecord) => void reported.push(r) };
  const model = createModel('bpr', { factors: 8, epochs: 200, patience: 2, validateEvery: 2, learningRate: 0.05 });
  await model.fit(planted.train, { seed: 1, threads: 1, valid, progress });
  const log = model.training!()!;
  assert.equal(log.epochs_run, reported.length);
  assert.ok(log.epochs_run < 200, `stopped early: ${log.epochs_run} epochs`);
  const validated = log.epochs.filter((e) => e.valid !== undefined);
  assert.ok(validated.length >= 3);
  const best = validated.reduce((a, b) => (b.valid! > a.valid! ? b : a));
  assert.equal(log.best_epoch, best.epoch);
  assert.ok(log.epochs_run - 1 - log.best_epoch >= 2 * 2 - 1, 'ran patience validations past the best');
  assert.ok(log.epochs.every((e) => Number.isFinite(e.loss) && e.seconds >= 0));
  assert.ok(best.valid! > 0.3, `valid NDCG@10 ${best.valid}`);
});
