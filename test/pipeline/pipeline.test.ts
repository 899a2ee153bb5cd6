import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { makeSplits } from '../../src/data/splits.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { createModel, loadModel } from '../../src/pipeline/index.js';
import { logisticRegression } from '../../src/pipeline/logistic-regression.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

const shop = syntheticShop({ users: 300, items: 150, seed: 5 });

/** A saved and reloaded model scores a user exactly as the fitted one. */
function assertRoundTrip(model: Pipeline): void {
  const restored = loadModel(structuredClone(model.save()));
  const a = new Float32Array(shop.items.size);
  const b = new Float32Array(shop.items.size);
  model.scoreUser(7, a);
  restored.scoreUser(7, b);
  assert.deepEqual(b, a);
}

test('logisticRegression recovers the weights of a planted logistic model', () => {
  const n = 4000;
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let t = 0; t < n; t++) {
    x[2 * t] = rand() * 4 - 2;
    x[2 * t + 1] = rand() * 4 - 2;
    const p = 1 / (1 + Math.exp(-(2 * x[2 * t]! - 1 * x[2 * t + 1]! + 0.5)));
    y[t] = rand() < p ? 1 : 0;
  }
  const beta = logisticRegression(x, y, 2, 0);
  assert.ok(Math.abs(beta[0]! - 2) < 0.3 && Math.abs(beta[1]! + 1) < 0.2 && Math.abs(beta[2]! - 0.5) < 0.2, `${beta}`);
});

test('the logistic ranker trusts the retriever that predicts and ignores noise', async () => {
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size);
  const model = createModel('pipeline', { retrievers: [{ model: 'itemknn' }, { model: 'random' }], ranker: 'logistic', rankerFolds: 0 }) as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid: shop.interactions.select(split!.valid) });
  const [knn, noise] = model.fusedWeights();
  assert.ok(knn!.weight > 0.5, `itemknn weight ${knn!.weight}`);
  assert.ok(Math.abs(noise!.weight) < knn!.weight / 4, `random weight ${noise!.weight} vs itemknn ${knn!.weight}`);

  // explanations name each retriever's share (save/load of a learned pipeline: test/models/save-load.test.ts)
  const a = new Float32Array(shop.items.size);
  model.scoreUser(3, a);
  const item = a.indexOf(Math.max(...a));
  const reasons = model.explain!(3, item, 5);
  assert.deepEqual(reasons.map((r) => r.text.split(' ')[0]).sort(), ['itemknn', 'random']);
});

test('the coordinate-ascent ranker (listwise, on valid NDCG) also trusts the retriever that predicts', async () => {
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size);
  const params = { retrievers: [{ model: 'itemknn' }, { model: 'random' }], ranker: 'coordinate-ascent', rankerInputs: [] };
  const model = createModel('pipeline', params) as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid: shop.interactions.select(split!.valid) });
  const [knn, noise] = model.fusedWeights();
  assert.ok(knn!.weight > 0 && Math.abs(noise!.weight) < knn!.weight / 4, `itemknn ${knn!.weight}, random ${noise!.weight}`);
  assertRoundTrip(model);
});

test('fused pipeline on the synthetic shop is at least as good as its better retriever and beats the weaker', async () => {
  const ndcg = async (model: string, params = {}) =>
    (await runEvaluation({ dataset: shop, model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics['ndcg@10']!;
  const knn = await ndcg('itemknn');
  const pop = await ndcg('popularity');
  const fused = await ndcg('pipeline', { retrievers: [{ model: 'itemknn' }, { model: 'popularity' }] });
  const rrf = await ndcg('pipeline', { retrievers: [{ model: 'itemknn' }, { model: 'popularity' }], fusion: 'rrf' });
  assert.ok(fused >= 0.97 * Math.max(knn, pop), `learned ${fused} vs itemknn ${knn}, popularity ${pop}`);
  assert.ok(rrf > pop, `rrf ${rrf} vs popularity ${pop}`);
});

test('gbdt ranker over scores, ranks and item/user inputs: beats popularity, saves and loads to the same scores', async () => {
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size, { itemTable: shop.itemTable });
  const valid = shop.interactions.select(split!.valid);
  const inputs = ['rank', 'popularity', 'profile', 'activity'];
  const params = { retrievers: [{ model: 'itemknn' }, { model: 'popularity' }], ranker: 'gbdt', rankerInputs: inputs, gbdt: { trees: 30, depth: 3, minLeaf: 10 } };
  const model = createModel('pipeline', params) as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid });
  const summary = model.rankerSummary();
  assert.deepEqual(
    summary.map((s) => s.input),
    ['itemknn score', 'popularity score', 'itemknn rank', 'popularity rank', 'popularity', ...(shop.itemTable ? ['profile'] : []), 'activity'],
  );
  assert.ok(summary.reduce((s, x) => s + x.value, 0) > 0, 'the trees split on some input');
  // the trees travel in the artifact (the round trip for every model, logistic ranker included: save-load.test.ts)
  assertRoundTrip(model);

  const ndcg = async (name: string, p = {}) =>
    (await runEvaluation({ dataset: shop, model: name, params: p, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics['ndcg@10']!;
  const pop = await ndcg('popularity');
  const gbdt = await ndcg('pipeline', params);
  assert.ok(gbdt > 1.2 * pop, `gbdt pipeline ${gbdt} vs popularity ${pop}`);
});

test('stacking: with rankerFolds the ranker also learns from out-of-fold queries, and the served retrievers see all of train', async () => {
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size);
  const valid = shop.interactions.select(split!.valid);
  const params = { retrievers: [{ model: 'itemknn' }, { model: 'random' }], ranker: 'coordinate-ascent', rankerInputs: ['activity'], rankerFolds: 3 };
  const model = createModel('pipeline', params) as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid });
  // each fold holds ~27% of the events, valid 10%: three folds give several times valid's queries
  const { validQueries, outOfFoldQueries } = model.rankerData();
  assert.ok(validQueries > 100 && outOfFoldQueries > 2 * validQueries, `valid ${validQueries}, out of fold ${outOfFoldQueries}`);
  const weights = Object.fromEntries(model.rankerSummary().map((s) => [s.input, s.value]));
  assert.deepEqual(Object.keys(weights), ['itemknn score', 'random score', 'activity']);
  assert.ok(Math.abs(weights['itemknn score']!) > 4 * Math.abs(weights['random score']!), JSON.stringify(weights));

  // the retrievers fitted per fold are gone: the pipeline serves the ones fitted on all of train
  const knn = createModel('itemknn', {});
  await knn.fit(train, { seed: 42, threads: 1 });
  assert.deepEqual(model.similarItems(5, 10), knn.similarItems!(5, 10));
  const reasons = model.explain!(3, 10, 5);
  assert.deepEqual(reasons.map((r) => r.text.split(' ')[0]).sort(), ['itemknn', 'random']);
  assertRoundTrip(model);
  assert.deepEqual((loadModel(structuredClone(model.save())) as Pipeline).rankerData(), model.rankerData());
});

test('rankerFolds must be 0 or at least 2', () => {
  assert.throws(() => createModel('pipeline', { rankerFolds: 1 }), /rankerFolds is 0/);
});

test('rankerSegments: a ranker per activity group, cut at the median train count, each trusting the retriever that predicts', async () => {
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size);
  const valid = shop.interactions.select(split!.valid);
  const params = { retrievers: [{ model: 'itemknn' }, { model: 'random' }], ranker: 'coordinate-ascent', rankerInputs: [], rankerFolds: 3, rankerSegments: 2 };
  const model = createModel('pipeline', params) as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid });
  const { arrays } = model.save();
  const cuts = arrays['ranker.cuts'] as Float64Array;
  const weights = arrays['ranker.weights'] as Float64Array;
  const counts = Array.from({ length: train.nUsers }, (_, u) => train.byUser.rowLength(u)).filter((n) => n > 0);
  const below = counts.filter((n) => Math.log1p(n) < cuts[0]!).length;
  assert.equal(cuts.length, 1);
  assert.ok(Math.abs(below / counts.length - 0.5) < 0.1, `${below} of ${counts.length} users below the cut`);
  assert.equal(weights.length, 4);
  for (const [knn, noise] of [weights.subarray(0, 2), weights.subarray(2)]) assert.ok(Math.abs(knn!) > 4 * Math.abs(noise!), `weights ${Array.from(weights)}`);
  assert.deepEqual(
    model.fusedWeights().map((w) => w.weight),
    [(weights[0]! + weights[2]!) / 2, (weights[1]! + weights[3]!) / 2],
  );
  assertRoundTrip(model);

  // each user is scored by their own segment's weights: negating the upper segment's turns a heavy
  // user's order around and leaves a light user's alone
  const active = Array.from({ length: train.nUsers }, (_, u) => u).filter((u) => train.byUser.rowLength(u) > 0);
  const light = active.find((u) => Math.log1p(train.byUser.rowLength(u)) < cuts[0]!)!;
  const heavy = active.find((u) => Math.log1p(train.byUser.rowLength(u)) >= cuts[0]!)!;
  const artifact = structuredClone(model.save());
  const flipped = artifact.arrays['ranker.weights'] as Float64Array;
  for (let f = 2; f < 4; f++) flipped[f] = -flipped[f]!;
  const changed = loadModel(artifact);
  const scores = (m: { scoreUser(u: number, out: Float32Array): void }, u: number) => {
    const out = new Float32Array(shop.items.size);
    m.scoreUser(u, out);
    return out;
  };
  assert.deepEqual(scores(changed, light), scores(model, light));
  const before = scores(model, heavy);
  const after = scores(changed, heavy);
  const ranked = Array.from(before.keys()).filter((i) => before[i]! > -Infinity);
  assert.ok(ranked.length > 10);
  for (const i of ranked) assert.ok(Math.abs(after[i]! + before[i]!) < 1e-4, `item ${i}: ${before[i]} then ${after[i]}`);
});
