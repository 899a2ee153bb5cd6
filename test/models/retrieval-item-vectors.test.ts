import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { topK } from '../../src/math/topk.js';
import { createModel, loadModel, withRetrievalParams } from '../../src/models/index.js';
import type { Recommender } from '../../src/models/recommender.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

/**
 * The models whose item vectors come from elsewhere than a factor table (hybrid-mf: sums of id and
 * feature embeddings; two-tower: the item tower; sasrec / bert4rec: the item embedding table with an
 * output bias) retrieve through the same ItemRetrieval as als / bpr / mf: on ml-100k (1,682 items), a
 * short fit each (retrieval does not need a good model, only its vectors).
 */
const ML100K = join(SHARED_DATA, 'ml-100k');
const skip = !existsSync(ML100K) && 'shared data absent';
const cases: [string, Record<string, unknown>][] = [
  ['hybrid-mf', { factors: 16, epochs: 3, patience: 0 }],
  ['two-tower', { dim: 32, hidden: 32, epochs: 1, textEncoder: 'none', batchSize: 1024 }],
  ['sasrec', { maxLength: 20, dim: 32, layers: 1, heads: 1, epochs: 1, batchSize: 256 }],
  ['bert4rec', { maxLength: 20, dim: 32, layers: 1, heads: 1, epochs: 1, batchSize: 256 }],
];

let data: TrainData | undefined;
async function ml100k(): Promise<TrainData> {
  if (!data) {
    const ds = cleanDataset(await loadDataset(ML100K));
    data = makeTrainData(ds.interactions, ds.users.size, ds.items.size, { hasRatings: ds.hasRatings, itemTable: ds.itemTable, userTable: ds.userTable });
  }
  return data;
}

function seen(train: TrainData, u: number): [Uint8Array, number] {
  const m = new Uint8Array(train.nItems);
  for (const i of train.byUser.rowIndices(u)) m[i] = 1;
  return [m, train.byUser.rowLength(u)];
}

/** Share of the exact top-10 (topK of scoreUser / foldIn, seen items excluded) that retrieve returns; seen items never. */
function recall(model: Recommender, train: TrainData, users: number[], folded = false): number {
  const scores = new Float32Array(train.nItems);
  let hit = 0;
  for (const u of users) {
    const [mask, n] = seen(train, u);
    const history = { items: train.byUser.rowIndices(u) };
    if (folded) model.foldIn!(history, scores);
    else model.scoreUser(u, scores);
    const want = new Set(topK(scores, 10, mask).indices);
    const got = model.retrieve!(folded ? history : u, 10, mask, n);
    assert.equal(got.indices.length, 10);
    for (const i of got.indices) {
      assert.equal(mask[i], 0, `${model.name}: seen item ${i} retrieved for user ${u}`);
      if (want.has(i)) hit++;
    }
  }
  return hit / (10 * users.length);
}

const every = (n: number, step: number) => Array.from({ length: Math.ceil(n / step) }, (_, t) => t * step);

for (const [name, params] of cases) {
  test(`${name}: hnsw retrieval on ml-100k finds the exact top 10 (recall >= 0.95), fold-in too; the graph and int8 vectors round-trip`, { skip }, async () => {
    const train = await ml100k();
    const model = createModel(name, { ...params, retrieval: 'hnsw', hnswEf: 64 });
    await model.fit(train, { seed: 1, threads: 1 });
    const users = every(train.nUsers, 9);
    const r = recall(model, train, users);
    assert.ok(r >= 0.95, `${name} hnsw recall@10 ${r}`);
    const rf = recall(model, train, users.slice(0, 30), true);
    assert.ok(rf >= 0.95, `${name} hnsw fold-in recall@10 ${rf}`);
    assert.ok(model.itemIndex!().index, 'a graph was built at fit');

    const artifact = model.save();
    assert.ok(artifact.arrays.itemsHnsw instanceof Uint8Array, 'the graph is in the artifact');
    const back = loadModel(structuredClone(artifact));
    const [x, y] = [new Float32Array(train.nItems), new Float32Array(train.nItems)];
    for (const u of users.slice(0, 40)) {
      model.scoreUser(u, x);
      back.scoreUser(u, y);
      assert.deepEqual(y, x);
      const [mask, n] = seen(train, u);
      assert.deepEqual(back.retrieve!(u, 10, mask, n), model.retrieve!(u, 10, mask, n));
    }

    // served as int8 (serve --vectors int8): scores on the compressed vectors, the top 10 re-ranked on them
    const int8 = loadModel(withRetrievalParams(artifact, { retrieval: 'exact', vectors: 'int8' }));
    assert.equal(int8.itemIndex!().store.kind, 'int8');
    assert.equal(recall(int8, train, users), 1, 'exact int8 retrieval is the top 10 of its own scores');
    const again = loadModel(structuredClone(int8.save()));
    const [mask, n] = seen(train, 5);
    assert.deepEqual(again.retrieve!(5, 10, mask, n), int8.retrieve!(5, 10, mask, n));
    // the compressed lists stay close to the float32 ones
    let same = 0;
    for (const u of users) {
      const [m, c] = seen(train, u);
      const a = new Set(model.retrieve!(u, 10, m, c).indices);
      for (const i of int8.retrieve!(u, 10, m, c).indices) same += a.has(i) ? 1 : 0;
    }
    assert.ok(same / (10 * users.length) >= 0.9, `${name} int8 vs float32 overlap@10 ${same / (10 * users.length)}`);
    assert.equal(back.similarItems!(3, 5).indices.length, 5);
  });
}
