import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Csr } from '../../src/data/csr.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { makeSplits } from '../../src/data/splits.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { defaultRetrievers, defaultStacking, EASE_MAX_ITEMS, STACK_MAX_EVENTS } from '../../src/pipeline/default-pipeline.js';
import { createModel, loadModel } from '../../src/pipeline/index.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

const shop = syntheticShop({ users: 300, items: 150, seed: 5 });
const [split] = makeSplits(shop, 'ratio', 42);
const names = (retrievers: { model: string; params: Record<string, unknown> }[]) =>
  retrievers.map((r) => (Object.keys(r.params).length ? `${r.model} ${JSON.stringify(r.params)}` : r.model));

/** A CSR of n (user, item) pairs: one item per user. */
function pairs(n: number): Csr {
  const rows = Int32Array.from({ length: n }, (_, k) => k);
  return Csr.fromCoo(n, 10, rows, Int32Array.from(rows, (k) => k % 10), new Float32Array(n).fill(1));
}

test('the default retrievers: ALS on rating values only when the events carry ratings, EASE only up to EASE_MAX_ITEMS items', () => {
  assert.deepEqual(names(defaultRetrievers({ nItems: 1682, hasRatings: true })), ['als', 'als {"values":"value"}', 'ease', 'itemknn', 'popularity']);
  assert.deepEqual(names(defaultRetrievers({ nItems: 3706, hasRatings: false })), ['als', 'ease', 'itemknn', 'popularity']);
  assert.deepEqual(names(defaultRetrievers({ nItems: EASE_MAX_ITEMS, hasRatings: false })), ['als', 'ease', 'itemknn', 'popularity']);
  assert.deepEqual(names(defaultRetrievers({ nItems: EASE_MAX_ITEMS + 1, hasRatings: true })), ['als', 'als {"values":"value"}', 'itemknn', 'popularity']);
});

test('the default ranker stacks (4 folds, a ranker per activity half) up to STACK_MAX_EVENTS train pairs, and learns from valid alone above', () => {
  assert.deepEqual(defaultStacking({ byUser: pairs(STACK_MAX_EVENTS) }), { rankerFolds: 4, rankerSegments: 2 });
  assert.deepEqual(defaultStacking({ byUser: pairs(STACK_MAX_EVENTS + 1) }), { rankerFolds: 0, rankerSegments: 1 });
});

test('a default pipeline fitted on a small shop uses what the rule picks, saves it, and ranks above popularity', async () => {
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size);
  const valid = shop.interactions.select(split!.valid);
  const model = createModel('pipeline') as Pipeline;
  await model.fit(train, { seed: 42, threads: 1, valid });
  const { params } = model.save();
  assert.deepEqual(names(params.retrievers as never), ['als', 'ease', 'itemknn', 'popularity']);
  assert.equal(params.ranker, 'coordinate-ascent');
  assert.deepEqual(params.rankerInputs, ['profile']);
  assert.equal(params.rankerFolds, 4);
  assert.equal(params.rankerSegments, 2);
  const { validQueries, outOfFoldQueries } = model.rankerData();
  assert.ok(validQueries > 0 && outOfFoldQueries > validQueries, `valid ${validQueries}, out of fold ${outOfFoldQueries}`);
  assert.equal((model.save().arrays['ranker.cuts'] as Float64Array).length, 1);
  // the params as given stay unset: the same model fitted on other data would choose again
  assert.equal(model.params.retrievers, undefined);

  // a loaded copy needs no training data to know its settings, and scores alike
  const restored = loadModel(structuredClone(model.save())) as Pipeline;
  const a = new Float32Array(shop.items.size);
  const b = new Float32Array(shop.items.size);
  model.scoreUser(7, a);
  restored.scoreUser(7, b);
  assert.deepEqual(b, a);
  assert.deepEqual(restored.save().params, params);

  // the same events with ratings add ALS on the rating values; rankerFolds given turns the default segments off
  const rated = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size, { hasRatings: true });
  const valOnly = createModel('pipeline', { rankerFolds: 0 }) as Pipeline;
  await valOnly.fit(rated, { seed: 42, threads: 1, valid });
  const saved = valOnly.save().params;
  assert.deepEqual(names(saved.retrievers as never), ['als', 'als {"values":"value"}', 'ease', 'itemknn', 'popularity']);
  assert.equal(saved.rankerFolds, 0);
  assert.equal(saved.rankerSegments, 1);
  assert.equal(valOnly.rankerData().outOfFoldQueries, 0);

  const ndcg = async (name: string) =>
    (await runEvaluation({ dataset: shop, model: name, params: {}, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics['ndcg@10']!;
  const [fused, pop] = [await ndcg('pipeline'), await ndcg('popularity')];
  assert.ok(fused > 1.2 * pop, `default pipeline ${fused} vs popularity ${pop}`);
});
