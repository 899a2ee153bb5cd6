import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { createModel, loadModel } from '../../src/pipeline/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const ctx = { seed: 3, threads: 1 };

/** The synthetic shop with its first 20 items' events removed (new items) and user 0 left with 2 events. */
function shop() {
  const ds = syntheticShop({ users: 200, items: 120, seed: 7 });
  const x = ds.interactions;
  let userZero = 0;
  const keep = new Uint8Array(x.length).map((_, r) => {
    if (x.item[r]! < 20) return 0;
    if (x.user[r] === 0) return userZero++ < 2 ? 1 : 0;
    return 1;
  });
  return makeTrainData(x.where(keep), ds.users.size, ds.items.size, { itemTable: ds.itemTable, userTable: ds.userTable });
}

test('cold-start routes users by their event count and places new items by their features', async () => {
  const train = shop();
  const params = { warm: { model: 'itemknn' }, coldUsers: { model: 'demographic' }, minUserEvents: 5, coldItems: { model: 'content' } };
  const model = createModel('cold-start', params);
  await model.fit(train, ctx);
  const warm = createModel('itemknn');
  const demographic = createModel('demographic');
  const content = createModel('content');
  for (const m of [warm, demographic, content]) await m.fit(train, ctx);
  const n = train.nItems;
  const [routed, own, feature] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];

  // a user with 2 events (under 5) is scored by the attribute model; warm items keep its scores
  model.scoreUser(0, routed);
  demographic.scoreUser(0, own);
  for (let i = 20; i < n; i++) assert.equal(routed[i], own[i]);
  // a user with many events gets the warm model's scores on warm items
  const busy = [...Array(train.nUsers).keys()].find((u) => train.byUser.rowLength(u) >= 20)!;
  model.scoreUser(busy, routed);
  warm.scoreUser(busy, own);
  for (let i = 20; i < n; i++) assert.equal(routed[i], own[i]);
  // new items (0-19): the content model's order, on the warm scores' scale (not all 0 as in itemknn)
  content.scoreUser(busy, feature);
  const newItems = [...Array(20).keys()];
  const byRouted = [...newItems].sort((a, b) => routed[b]! - routed[a]!);
  const byContent = [...newItems].sort((a, b) => feature[b]! - feature[a]!);
  assert.deepEqual(byRouted, byContent);
  assert.ok(newItems.every((i) => own[i] === 0), 'itemknn alone knows nothing of the new items');
  const top = Math.max(...own);
  assert.ok(Math.max(...newItems.map((i) => routed[i]!)) > 0 && Math.max(...newItems.map((i) => routed[i]!)) < 2 * top, 'new items land among warm scores');

  // fold-in follows the same routes; explanations name the route; save/load keeps the cold items' placement (which the
  // every-model round trip in test/models/save-load.test.ts, with no new items, does not reach)
  model.foldIn!({ items: Int32Array.of(30), user: 5 }, routed);
  demographic.foldIn!({ items: Int32Array.of(30), user: 5 }, own);
  for (let i = 20; i < n; i++) assert.equal(routed[i], own[i]);
  const long = { items: train.byUser.rowIndices(busy) };
  model.foldIn!(long, routed);
  warm.foldIn!(long, own);
  for (let i = 20; i < n; i++) assert.equal(routed[i], own[i]);
  assert.match(model.explain!(busy, 3)[0]?.text ?? '', /content, new item/);
  const restored = loadModel(structuredClone(model.save()));
  const again = new Float32Array(n);
  model.scoreUser(busy, routed);
  restored.scoreUser(busy, again);
  assert.deepEqual(again, routed);
  assert.throws(() => createModel('cold-start', { coldUsers: { model: 'itemknn' }, minUserEvents: -1 }), /minUserEvents/);
});

test('cold-start on ml-100k cold users: demographics route beats ALS, which can only show popularity to them', async () => {
  const ds = await loadDataset(join(SHARED_DATA, 'ml-100k'));
  const run = (model: string, params: Record<string, unknown>) => runEvaluation({ dataset: ds, model, params, protocol: 'cold-users', seed: 42, ks: [10], coldEvents: 0 });
  const routed = await run('cold-start', { warm: { model: 'als' }, coldUsers: { model: 'demographic' } });
  const als = await run('als', {});
  const pop = await run('popularity', {});
  assert.equal(als.metrics['ndcg@10'], pop.metrics['ndcg@10'], 'als with no events falls back to popularity');
  assert.ok(routed.metrics['ndcg@10']! > pop.metrics['ndcg@10']!, `cold-start ${routed.metrics['ndcg@10']} vs popularity ${pop.metrics['ndcg@10']}`);
});
