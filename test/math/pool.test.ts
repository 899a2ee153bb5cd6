import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBlocks } from '../../src/math/pool.js';
import { randomTrainData } from '../helpers/synthetic.js';

test('runBlocks gives the same blocks on worker threads as in-process', async () => {
  const train = randomTrainData(200, 150, 0.1, 1);
  const input = { m: train.byItem, mT: train.byUser, k: 10, shrink: 1 };
  const here = await runBlocks('knn', input, train.nItems, { threads: 1 }, 'knn');
  const there = await runBlocks('knn', input, train.nItems, { threads: 2 }, 'knn', true);
  assert.equal(there.length, here.length);
  for (let b = 0; b < here.length; b++) {
    assert.deepEqual(there[b]!.indptr, here[b]!.indptr);
    assert.deepEqual(there[b]!.indices, here[b]!.indices);
    assert.deepEqual(there[b]!.data, here[b]!.data);
  }
});

test('runBlocks stops when its signal aborts', async () => {
  const train = randomTrainData(300, 300, 0.2, 2);
  const controller = new AbortController();
  controller.abort(new Error('stop now'));
  await assert.rejects(
    runBlocks('knn', { m: train.byItem, mT: train.byUser, k: 5, shrink: 0 }, train.nItems, { threads: 2, signal: controller.signal }, 'knn', true),
    /stop now/,
  );
});
