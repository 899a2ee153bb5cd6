import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineNeighbourRows, neighbourRowsToCsr, rowNorms } from '../../src/math/knn.js';
import { cosineKnnGraph } from '../../src/math/knn-graph.js';
import { cosine, dense, naiveTopK, randomTrainData } from '../helpers/synthetic.js';

test('cosineNeighbourRows matches a naive dense top-k with shrinkage', () => {
  const train = randomTrainData(30, 25, 0.3, 4);
  const k = 6;
  const out = { idx: new Int32Array(25 * k), sim: new Float32Array(25 * k), len: new Int32Array(25) };
  cosineNeighbourRows(train.byItem, train.byUser, rowNorms(train.byItem), k, 3, 0, 25, out);
  const graph = neighbourRowsToCsr(out, k, 25);
  const r = dense(train, false);
  const cols = Array.from({ length: 25 }, (_, i) => r.map((row) => row[i]!));
  for (let i = 0; i < 25; i++) {
    const sims = cols.map((c) => cosine(cols[i]!, c, 3));
    assert.deepEqual(Array.from(graph.rowIndices(i)), naiveTopK(sims, k, i));
    graph.rowData(i).forEach((s, t) => assert.ok(Math.abs(s - sims[graph.rowIndices(i)[t]!]!) < 1e-5));
  }
});

test('cosineKnnGraph gives the same graph on worker threads as on one thread', async () => {
  const train = randomTrainData(600, 400, 0.1, 8);
  const one = await cosineKnnGraph(train.byItem, train.byUser, 20, 1, { threads: 1 }, 'knn');
  // minWorkForThreads 0: the workers run even on this small problem
  const two = await cosineKnnGraph(train.byItem, train.byUser, 20, 1, { threads: 2 }, 'knn', 0);
  assert.deepEqual(two.indptr, one.indptr);
  assert.deepEqual(two.indices, one.indices);
  assert.deepEqual(two.data, one.data);
});

test('cosineKnnGraph stops when its signal aborts', async () => {
  const train = randomTrainData(300, 300, 0.2, 2);
  const controller = new AbortController();
  controller.abort(new Error('stop now'));
  await assert.rejects(cosineKnnGraph(train.byItem, train.byUser, 5, 0, { threads: 2, signal: controller.signal }, 'knn', 0), /stop now/);
});
