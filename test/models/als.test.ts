import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel, loadModel, type Recommender as RecommenderModel } from '../../src/models/index.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { Csr } from '../../src/data/csr.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { topK } from '../../src/math/topk.js';
import { alsRegularization } from '../../src/models/als.js';
import { plantedBlocks, plantedQuality } from '../helpers/planted.js';
import { randomTrainData } from '../helpers/synthetic.js';

const ctx = { seed: 1, threads: 1 };

test('als recovers planted blocks: held-out items rank above other blocks and above popularity', async () => {
  const planted = plantedBlocks(5);
  const model = createModel('als', { factors: 5, regularization: 1, alpha: 5 });
  await model.fit(planted.train, ctx);
  const q = plantedQuality(model, planted);
  assert.ok(q.inBlock > 0.85, `in-block share ${q.inBlock}`);
  assert.ok(q.hit > q.popularityHit + 0.3, `hit ${q.hit} vs popularity ${q.popularityHit}`);
  let same = 0;
  for (let item = 0; item < planted.train.nItems; item++) {
    const sim = model.similarItems!(item, 5);
    assert.ok(sim.indices.length === 5 && !sim.indices.includes(item));
    for (const i of sim.indices) if (planted.blockOfItem[i] === planted.blockOfItem[item]) same++;
  }
  assert.ok(same / (5 * planted.train.nItems) > 0.9, `similar items in the same block: ${same}`);
});

test('als gives the same bits with 1 and 2 threads, and the same scores after save/load', async () => {
  const train = randomTrainData(700, 400, 0.03, 6);
  const params = { factors: 8, iterations: 3 };
  const one = createModel('als', params);
  await one.fit(train, { seed: 3, threads: 1 });
  const two = createModel('als', params);
  await two.fit(train, { seed: 3, threads: 2 });
  const a1 = one.save();
  assert.deepEqual(two.save().arrays, a1.arrays);
  const restored = loadModel(structuredClone(a1));
  const [x, y] = [new Float32Array(train.nItems), new Float32Array(train.nItems)];
  for (let u = 0; u < train.nUsers; u += 50) {
    one.scoreUser(u, x);
    restored.scoreUser(u, y);
    assert.deepEqual(y, x);
  }
  assert.deepEqual(restored.explain!(5, 9, 10), one.explain!(5, 9, 10));
  assert.deepEqual(restored.similarItems!(9, 10), one.similarItems!(9, 10));
  // a different seed starts elsewhere
  const other = createModel('als', params);
  await other.fit(train, { seed: 4, threads: 1 });
  assert.notDeepEqual(other.save().arrays.userFactors, a1.arrays.userFactors);
});

for (const reg of [{ regularization: 2 }, { regularization: 0.5, regularizationPerEvent: 0.3 }]) {
test(`als fold-in of a known history matches the fitted user once ALS has converged (${JSON.stringify(reg)})`, async () => {
  const train = randomTrainData(60, 40, 0.2, 2);
  const model = createModel('als', { factors: 4, iterations: 200, cgSteps: 4, alpha: 3, ...reg });
  await model.fit(train, ctx);
  const fitted = new Float32Array(train.nItems);
  const folded = new Float32Array(train.nItems);
  for (let u = 0; u < 60; u += 7) {
    model.scoreUser(u, fitted);
    model.foldIn!({ items: train.byUser.rowIndices(u) }, folded);
    let scale = 0;
    for (const v of fitted) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < train.nItems; i++) assert.ok(Math.abs(fitted[i]! - folded[i]!) < 1e-3 * scale, `user ${u} item ${i}: ${fitted[i]} vs ${folded[i]}`);
  }
});
}

test('als explanations add up to the fold-in score of the user history, largest first', async () => {
  const train = randomTrainData(80, 50, 0.15, 4);
  const model = createModel('als', { factors: 6, iterations: 5 });
  await model.fit(train, ctx);
  const folded = new Float32Array(train.nItems);
  model.foldIn!({ items: train.byUser.rowIndices(3) }, folded);
  const reasons = model.explain!(3, 11, 1000);
  assert.equal(reasons.length, train.byUser.rowLength(3));
  const total = reasons.reduce((s, r) => s + r.weight, 0);
  assert.ok(Math.abs(total - folded[11]!) < 1e-4, `${total} vs ${folded[11]}`);
  for (let t = 1; t < reasons.length; t++) assert.ok(reasons[t - 1]!.weight >= reasons[t]!.weight);
});

test('als stops when its signal aborts', async () => {
  const train = randomTrainData(50, 40, 0.2, 1);
  const controller = new AbortController();
  controller.abort(new Error('stop als'));
  await assert.rejects(createModel('als').fit(train, { ...ctx, signal: controller.signal }), /stop als/);
});

test('als fold-in of a trained user with a new event: warm-started CG steps land next to the exact solve', async () => {
  const train = randomTrainData(80, 60, 0.15, 9);
  const model = createModel('als', { factors: 8, iterations: 30 });
  await model.fit(train, ctx);
  const exact = new Float32Array(train.nItems);
  const warm = new Float32Array(train.nItems);
  const before = new Float32Array(train.nItems);
  let checked = 0;
  for (let u = 0; u < 80; u += 9) {
    const seen = new Set(train.byUser.rowIndices(u));
    const fresh = [...Array(train.nItems).keys()].find((i) => !seen.has(i))!;
    const items = Int32Array.from([...train.byUser.rowIndices(u), fresh]);
    model.scoreUser(u, before);
    model.foldIn!({ items }, exact);
    model.foldIn!({ items, user: u }, warm);
    let gap = 0;
    let moved = 0;
    for (let i = 0; i < train.nItems; i++) {
      gap = Math.max(gap, Math.abs(exact[i]! - warm[i]!));
      moved = Math.max(moved, Math.abs(exact[i]! - before[i]!));
    }
    // the new event moves the scores; the warm start follows it to within a small fraction of that move
    assert.ok(moved > 0, `user ${u}: the new event changed nothing`);
    assert.ok(gap < 0.05 * moved, `user ${u}: warm-start gap ${gap} vs move ${moved}`);
    assert.ok(warm[fresh]! > before[fresh]!, `user ${u}: the new item's score should rise`);
    checked++;
  }
  assert.ok(checked >= 8);
});

test('als fold-in of a user held out of training: no events ranks nothing, events give the exact solve', async () => {
  const full = randomTrainData(60, 40, 0.2, 4);
  const held = 7;
  const keep = new Uint8Array(full.interactions.length).map((_, r) => (full.interactions.user[r] === held ? 0 : 1));
  const train = makeTrainData(full.interactions.where(keep), full.nUsers, full.nItems);
  const model = createModel('als', { factors: 8, iterations: 10 });
  await model.fit(train, ctx);
  const out = new Float32Array(train.nItems);
  // the held-out user's factor row is only its random start: it must not be used
  model.foldIn!({ items: new Int32Array(0), user: held }, out);
  assert.ok(out.every((v) => v === out[0]), 'no events: every item scores the same (the evaluator then shows popularity)');
  const items = full.byUser.rowIndices(held).slice(0, 3);
  const exact = new Float32Array(train.nItems);
  model.foldIn!({ items }, exact);
  model.foldIn!({ items, user: held }, out);
  assert.deepEqual(Array.from(out), Array.from(exact));
});

/** A users x 1000 CSR whose rows have the given lengths (columns 0..n-1). */
function rowsOfLength(lengths: number[]): Csr {
  const indptr = Int32Array.from([0, ...lengths.map((_, r) => lengths.slice(0, r + 1).reduce((a, b) => a + b, 0))]);
  const indices = Int32Array.from(lengths.flatMap((n) => Array.from({ length: n }, (_, c) => c)));
  return new Csr(lengths.length, 1000, indptr, indices, new Float32Array(indices.length).fill(1));
}

test('als default regularization: (1 + alpha) / 3 x the mean events of users with any, clamped to [10, 30]', () => {
  assert.equal(alsRegularization(2, rowsOfLength([2, 4, 0, 0])), 10); // a small shop: 3 events per user
  assert.equal(alsRegularization(2, rowsOfLength([10, 30, 0])), 20); // users without events do not count
  assert.equal(alsRegularization(2, rowsOfLength([100, 200])), 30); // MovieLens-length histories: the old 30
  assert.equal(alsRegularization(5, rowsOfLength([10, 30])), 40); // confidence 1 + alpha doubled: twice the penalty
  assert.equal(alsRegularization(2, rowsOfLength([0, 0])), 10);
});

test('als default on a small shop: users get lists of their own (30, the old default, gave most of them one list), kept through save/load', async () => {
  const shop = syntheticShop({ users: 100, items: 50, eventsPerUser: 4, seed: 1 });
  const train = makeTrainData(shop.interactions, shop.users.size, shop.items.size);
  const distinct = (model: RecommenderModel): number => {
    const lists = new Set<string>();
    const scores = new Float32Array(train.nItems);
    for (let u = 0; u < train.nUsers; u++) {
      model.scoreUser(u, scores);
      for (const i of train.byUser.rowIndices(u)) scores[i] = -Infinity;
      lists.add(Array.from(topK(scores, 5).indices).join(','));
    }
    return lists.size;
  };
  const auto = createModel('als', {});
  await auto.fit(train, ctx);
  const old = createModel('als', { regularization: 30 });
  await old.fit(train, ctx);
  const [mine, theirs] = [distinct(auto), distinct(old)];
  assert.ok(mine >= 90, `distinct top-5 lists with the default: ${mine} of 100`);
  assert.ok(theirs < 60, `distinct top-5 lists at regularization 30: ${theirs} of 100`);
  const saved = auto.save();
  assert.equal(saved.meta.regularization, 10);
  assert.equal(distinct(loadModel(structuredClone(saved))), mine);
});
