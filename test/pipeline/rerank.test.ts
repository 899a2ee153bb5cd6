import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { Csr } from '../../src/data/csr.js';
import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { UnirecError } from '../../src/errors.js';
import { sparseDot } from '../../src/features/block.js';
import { topK } from '../../src/math/topk.js';
import { createModel, loadModel } from '../../src/pipeline/index.js';
import { Als, alsParams } from '../../src/models/als.js';
import { latentItemSpace, offerLatentSpace } from '../../src/models/latent-item-space.js';
import { calibrateOrder, groupShares, HEAD, jensenShannon, MID, popularityGroups, TAIL } from '../../src/pipeline/calibrate.js';
import { blockedItems } from '../../src/pipeline/filter.js';
import { RerankStage, Reranker } from '../../src/pipeline/rerank.js';

/** 20 items: genre A (even) or B (odd); stock yes except items 3 and 4; item i has 20 - i users. */
function shop(): TrainData {
  const n = 20;
  const b = new AttributeTableBuilder({ genres: 'multi', stock: 'categorical' });
  for (let i = 0; i < n; i++) {
    b.setMulti('genres', i, [i % 2 ? 'B' : 'A']);
    b.setCategorical('stock', i, i === 3 || i === 4 ? 'no' : 'yes');
  }
  const us: number[] = [];
  const is: number[] = [];
  for (let i = 0; i < n; i++) for (let u = 0; u < n - i; u++) us.push(u), is.push(i);
  const x = new Interactions(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), new Float64Array(us.length));
  return makeTrainData(x, n, n, { itemTable: b.build(n) });
}

test('popularity groups split the catalogue by share of interactions; JS divergence is 0 for equal profiles', () => {
  const byItem = Csr.fromCoo(4, 10, Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 2, 3), Int32Array.from({ length: 10 }, (_, k) => k), new Float32Array(10).fill(1));
  // counts 6, 2, 1, 1 of 10: item 0 starts at share 0 (head), 1 at 0.6 (mid), 2 at 0.8 and 3 at 0.9 (tail)
  assert.deepEqual(Array.from(popularityGroups(byItem, 0.2, 0.2)), [HEAD, MID, TAIL, TAIL]);
  assert.equal(jensenShannon([0.5, 0.3, 0.2], [0.5, 0.3, 0.2]), 0);
  assert.ok(Math.abs(jensenShannon([1, 0, 0], [0, 0, 1]) - 1) < 1e-12);
});

test('calibrateOrder brings a list to the user profile: a tail-lover gets tail items, a head-lover keeps the head', () => {
  const groups = Uint8Array.of(HEAD, HEAD, HEAD, HEAD, TAIL, TAIL, TAIL, TAIL);
  const items = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7);
  const relevance = [8, 7, 6, 5, 4, 3, 2, 1];
  const tailLover = groupShares([4, 5, 6], groups);
  const forTail = calibrateOrder(items, relevance, 4, groups, tailLover, 0.9);
  assert.ok(Array.from(forTail.subarray(0, 4)).filter((i) => groups[i] === TAIL).length >= 3, `${forTail}`);
  const forHead = calibrateOrder(items, relevance, 4, groups, groupShares([0, 1], groups), 0.9);
  assert.deepEqual(Array.from(forHead.subarray(0, 4)), [0, 1, 2, 3]);
  // lambda 0 keeps the relevance order, and every item stays in the list
  assert.deepEqual(Array.from(calibrateOrder(items, relevance, 4, groups, tailLover, 0)), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(forTail).sort(), Array.from(items));
});

test('filter rules block categories, items without a required value, and ids; typos are errors', () => {
  const train = shop();
  const blocked = blockedItems({ excludeCategories: ['B'], require: { stock: ['yes'] }, excludeItems: [0] }, train.itemTable, 20);
  const kept = Array.from(blocked).flatMap((b, i) => (b ? [] : [i]));
  assert.deepEqual(kept, [2, 6, 8, 10, 12, 14, 16, 18]);
  assert.throws(() => blockedItems({ excludeCategories: ['Horor'] }, train.itemTable, 20), UnirecError);
  assert.throws(() => blockedItems({ require: { colour: ['red'] } }, train.itemTable, 20), /no item column "colour"/);
  assert.throws(() => blockedItems({ excludeItems: [20] }, train.itemTable, 20), /not an item id/);
});

test('Reranker stages in order: filter, then MMR brings the other genre up; save/load keeps the result', async () => {
  const train = shop();
  const stages = [
    RerankStage.parse({ type: 'filter', require: { stock: ['yes'] } }),
    RerankStage.parse({ type: 'mmr', lambda: 0.3, pool: 20 }),
  ];
  const reranker = await Reranker.fit(stages, train, 6, { seed: 1, threads: 1 });
  const scores = Float32Array.from({ length: 20 }, (_, i) => (i % 2 ? 10 - i / 10 : 20 - i / 10)); // all A above all B
  const seen = Int32Array.of(0);
  const out = scores.slice();
  reranker.apply(out, [seen], seen);
  const top = Array.from(topK(out, 6, Uint8Array.from({ length: 20 }, (_, i) => (i === 0 ? 1 : 0))).indices);
  assert.ok(!top.includes(3) && !top.includes(4), `out-of-stock items removed: ${top}`);
  // all A items score above all B items; MMR takes the best B second (then every item repeats a genre)
  assert.equal(top[1]! % 2, 1, `MMR brings genre B up: ${top}`);
  assert.equal(out[3], -Infinity);

  const restored = Reranker.load(stages, 6, 20, structuredClone(reranker.save('s')), 's');
  const again = scores.slice();
  restored.apply(again, [seen], seen);
  assert.deepEqual(again, out);
});

test('pipeline config: rerank stages run after fusion, are validated, and survive save/load', async () => {
  const train = shop();
  const params = {
    retrievers: [{ model: 'popularity' }],
    fusion: 'weighted',
    rerank: [
      { type: 'filter', excludeCategories: ['B'] },
      { type: 'calibrate', lambda: 0.8 },
    ],
  };
  const model = createModel('pipeline', params);
  await model.fit(train, { seed: 1, threads: 1 });
  const out = new Float32Array(20);
  model.scoreUser(19, out); // user 19 has only item 0 (head)
  for (let i = 1; i < 20; i += 2) assert.equal(out[i], -Infinity);
  const restored = loadModel(structuredClone(model.save()));
  const again = new Float32Array(20);
  restored.scoreUser(19, again);
  assert.deepEqual(again, out);
  assert.throws(() => createModel('pipeline', { rerank: [{ type: 'mmr', lambda: 2 }] }), /rerank/);
  assert.throws(() => createModel('pipeline', { rerank: [{ type: 'shuffle' }] }), /rerank/);
});

/** Items 0-3 are consumed by users 0-9, items 4-7 by users 10-19; no item table. */
function twoAudiences() {
  const us: number[] = [];
  const is: number[] = [];
  for (let i = 0; i < 8; i++) for (let u = i < 4 ? 0 : 10; u < (i < 4 ? 10 : 20); u++) us.push(u), is.push(i);
  const x = new Interactions(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), new Float64Array(us.length));
  return makeTrainData(x, 20, 8);
}

test('MMR over interaction similarity needs no item attributes: it brings up items other people consume', async () => {
  const train = twoAudiences();
  const ctx = { seed: 1, threads: 1 };
  const scores = Float32Array.of(8, 7, 6, 5, 4, 3, 2, 1);
  const plain = await Reranker.fit([RerankStage.parse({ type: 'mmr', lambda: 1, similarity: 'interactions' })], train, 4, ctx);
  const same = scores.slice();
  plain.apply(same, [], new Int32Array(0));
  assert.deepEqual(Array.from(topK(same, 4).indices), [0, 1, 2, 3], 'lambda 1 keeps the model order');
  const diverse = await Reranker.fit([RerankStage.parse({ type: 'mmr', lambda: 0.3, similarity: 'interactions' })], train, 4, ctx);
  const out = scores.slice();
  diverse.apply(out, [], new Int32Array(0));
  assert.deepEqual(Array.from(topK(out, 2).indices), [0, 4], 'the best item of the other audience comes second');
  await assert.rejects(Reranker.fit([RerankStage.parse({ type: 'mmr' })], train, 4, ctx), /similarity.*interactions/);
});

test('MMR in the latent taste space: the audiences are two directions, the other one comes second; save/load keeps it', async () => {
  const train = twoAudiences();
  const space = await latentItemSpace(train, 4, { seed: 1, threads: 1 });
  assert.equal(await latentItemSpace(train, 4, { seed: 1, threads: 2 }), space, 'one fit per train, factors and seed');
  assert.notEqual(await latentItemSpace(train, 4, { seed: 2, threads: 1 }), space);
  for (let a = 0; a < 8; a++) {
    for (let b = 0; b < 8; b++) {
      const cos = sparseDot(space, a, space, b);
      if (a !== b && a < 4 === b < 4) assert.ok(cos > 0.99, `items ${a}, ${b} share their audience: cosine ${cos}`);
      if (a < 4 !== b < 4) assert.ok(cos < 0.95, `items ${a}, ${b} do not: cosine ${cos}`);
    }
  }
  // ALS's regularisation on 20 users leaves a shared component (cross-audience cosine ~0.9): a low lambda
  const stages = [RerankStage.parse({ type: 'mmr', lambda: 0.1, similarity: 'latent', factors: 4 })];
  const reranker = await Reranker.fit(stages, train, 4, { seed: 1, threads: 1 });
  const out = Float32Array.of(8, 7, 6, 5, 4, 3, 2, 1);
  reranker.apply(out, [], new Int32Array(0));
  assert.deepEqual(Array.from(topK(out, 2).indices), [0, 4]);
  const restored = Reranker.load(stages, 4, 8, structuredClone(reranker.save('s')), 's');
  const again = Float32Array.of(8, 7, 6, 5, 4, 3, 2, 1);
  restored.apply(again, [], new Int32Array(0));
  assert.deepEqual(again, out);
});

test('a fitted default ALS is taken as the latent space (what a fit of its own would give); another ALS is not', async () => {
  const train = twoAudiences();
  const ctx = { seed: 3, threads: 1 };
  const als = new Als(alsParams({ factors: 4 }));
  await als.fit(train, ctx);
  offerLatentSpace(train, 3, als);
  // an aborted signal stops any fit, so this resolves only if the offered factors were taken
  const stopped = { ...ctx, signal: AbortSignal.abort() };
  const offered = await latentItemSpace(train, 4, stopped);
  assert.deepEqual(offered.data, (await latentItemSpace(twoAudiences(), 4, ctx)).data, 'the factors a fit of its own gives');
  const tuned = new Als(alsParams({ factors: 6, regularization: 1 }));
  await tuned.fit(train, ctx);
  offerLatentSpace(train, 3, tuned);
  await assert.rejects(latentItemSpace(train, 6, stopped), /abort|stop|cancel/i, 'a non-default ALS is not the reference space');
  await assert.rejects(latentItemSpace(train, 4, { seed: 4, threads: 1, signal: stopped.signal }), /abort|stop|cancel/i, 'the offer holds for its own seed only');
});
