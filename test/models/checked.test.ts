import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { createModel, loadModel } from '../../src/pipeline/index.js';

/** 3 users x 4 items. */
function tiny() {
  const x = new Interactions(Int32Array.from([0, 0, 1, 2]), Int32Array.from([0, 1, 1, 2]), new Float32Array(4).fill(1), new Float64Array(4).fill(Number.NaN));
  return makeTrainData(x, 3, 4);
}

test('out-of-range dense ids and wrong buffer lengths throw at the low-level API, before and after save/load', async () => {
  const fitted = createModel('itemknn');
  await fitted.fit(tiny(), { seed: 1, threads: 1 });
  for (const model of [fitted, loadModel(fitted.save())]) {
    const out = new Float32Array(4);
    model.scoreUser(2, out); // in range: fine
    assert.throws(() => model.scoreUser(-1, out), /itemknn\.scoreUser: user -1 is out of range \(dense user ids: 0\.\.2\)/);
    assert.throws(() => model.scoreUser(3, out), RangeError);
    assert.throws(() => model.scoreUser(0.5, out), RangeError);
    assert.throws(() => model.scoreUser(0, new Float32Array(3)), /out has length 3, expected one score per item \(4\)/);
    assert.throws(() => model.foldIn!({ items: Int32Array.from([4]) }, out), /item 4 is out of range/);
    assert.throws(() => model.foldIn!({ items: Int32Array.from([1]), values: new Float32Array(2) }, out), /history.values has length 2/);
    assert.throws(() => model.similarItems!(-2, 3), /item -2 is out of range/);
    assert.throws(() => model.explain!(0, 9), /item 9 is out of range/);
  }
});

test('the checks keep a model what it is: optional methods stay absent, instanceof and other methods still work', async () => {
  const random = createModel('random');
  await random.fit(tiny(), { seed: 1, threads: 1 });
  assert.equal(random.similarItems, undefined);
  assert.equal('similarItems' in random, false);
  random.foldIn!({ items: Int32Array.from([1]) }, new Float32Array(4)); // its own call of scoreUser(-1 - item) is not checked
  const als = createModel('als', { factors: 2, iterations: 1 });
  assert.equal(typeof als.fit, 'function');
  assert.equal(als.name, 'als');
  assert.equal(als.params.factors, 2);
});
