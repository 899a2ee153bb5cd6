import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { buildRelation } from '../../src/data/relation.js';
import { createModel, loadModel } from '../../src/models/index.js';

// users 0..3, items 0..4; user 3 has no events (held out) and is friends with 0 and 1
const x = new Interactions(Int32Array.of(0, 0, 1, 1, 2, 2, 2), Int32Array.of(0, 1, 0, 2, 3, 4, 1), new Float32Array(7).fill(1), new Float64Array(7));
const relation = buildRelation('friends', true, 4, Int32Array.of(3, 3), Int32Array.of(0, 1));

test('social: the share of friends who took an item, smoothed towards popularity; no friends, no relation: popularity', async () => {
  const model = createModel('social', { smoothing: 1 });
  await model.fit(makeTrainData(x, 4, 5, { relation }), { seed: 1, threads: 1 });
  const out = new Float32Array(5);
  model.foldIn!({ items: new Int32Array(0), user: 3 }, out);
  // active users 3: shares 2/3, 2/3, 1/3, 1/3, 1/3; friends 0 and 1 took item 0 twice, items 1 and 2 once
  const share = [2 / 3, 2 / 3, 1 / 3, 1 / 3, 1 / 3];
  const counts = [2, 1, 1, 0, 0];
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(out[i]! - (counts[i]! + share[i]!) / 3) < 1e-6, `item ${i}: ${out[i]}`);
  assert.ok(out[0]! > out[1]! && out[1]! > out[3]!, "a friends' item outranks a more popular stranger's");
  assert.match(model.explain!(3, 0)[0]!.text, /2 of your 2 friends took it/);
  const lonely = new Float32Array(5);
  model.scoreUser(2, lonely);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(lonely[i]! - share[i]!) < 1e-6, 'no friends: popularity');
  const copy = loadModel(structuredClone(model.save()));
  const again = new Float32Array(5);
  copy.scoreUser(3, again);
  assert.deepEqual(again, out);
  const bare = createModel('social', {});
  await bare.fit(makeTrainData(x, 4, 5), { seed: 1, threads: 1 });
  bare.scoreUser(3, again);
  assert.ok(Math.abs(again[0]! - share[0]!) < 1e-6, 'data without a relation: popularity');
});
