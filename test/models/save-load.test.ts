import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { makeSplits } from '../../src/data/splits.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { createModel, loadModel, modelNames } from '../../src/pipeline/index.js';

/**
 * The artifact contract, for every registered recommender: a saved and reloaded copy scores exactly as
 * the fitted model (evaluation workers and the server run such copies). Small, fast settings; what each
 * model learns is tested in its own file.
 */
const FAST: Record<string, object> = {
  popularity: {},
  random: {},
  itemknn: {},
  userknn: {},
  bias: { epochs: 2 },
  ease: {},
  als: { factors: 8, iterations: 3 },
  content: {},
  demographic: {},
  social: {},
  bpr: { factors: 8, epochs: 2 },
  mf: { factors: 8, epochs: 2 },
  svdpp: { factors: 4, epochs: 2 },
  'hybrid-mf': { factors: 8, epochs: 2 },
  sasrec: { dim: 16, layers: 1, maxLength: 10, epochs: 1, negatives: 16 },
  bert4rec: { dim: 16, layers: 1, heads: 1, maxLength: 10, epochs: 1, negatives: 16 },
  'two-tower': { dim: 16, hidden: 16, historyLength: 10, epochs: 1, textEncoder: 'none' },
  pipeline: {
    retrievers: [{ model: 'itemknn' }, { model: 'als', params: { factors: 8, iterations: 3 } }, { model: 'popularity' }],
    rerank: [{ type: 'mmr', similarity: 'interactions', pool: 20 }, { type: 'calibrate', pool: 20 }],
  },
  'cold-start': { warm: { model: 'itemknn' }, coldUsers: { model: 'demographic' }, coldItems: { model: 'content' } },
};

test('every recommender: a saved and reloaded copy scores, and folds in, exactly as the fitted one', async () => {
  assert.deepEqual(modelNames().filter((n) => !(n in FAST)), [], 'give every registered model fast settings here');
  const shop = syntheticShop({ users: 120, items: 80, eventsPerUser: 15, seed: 3 });
  const [split] = makeSplits(shop, 'ratio', 42);
  const train = makeTrainData(shop.interactions.select(split!.train), shop.users.size, shop.items.size, {
    hasRatings: shop.hasRatings,
    itemTable: shop.itemTable,
    userTable: shop.userTable,
  });
  const valid = shop.interactions.select(split!.valid);
  const history = { items: Int32Array.of(1, 5, 9), values: Float32Array.of(1, 1, 1), ts: Float64Array.of(1, 2, 3) };
  for (const name of modelNames()) {
    const model = createModel(name, FAST[name]);
    await model.fit(train, { seed: 7, threads: 1, valid });
    const copy = loadModel(structuredClone(model.save()));
    const a = new Float32Array(shop.items.size);
    const b = new Float32Array(shop.items.size);
    for (const user of [0, 17, 64, 119]) {
      model.scoreUser(user, a);
      copy.scoreUser(user, b);
      assert.deepEqual(b, a, `${name}: user ${user}`);
    }
    if (model.foldIn) {
      model.foldIn(history, a);
      copy.foldIn!(history, b);
      assert.deepEqual(b, a, `${name}: fold-in`);
    }
  }
});
