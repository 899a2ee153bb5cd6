import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { cleanDataset } from '../../src/data/clean.js';
import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { topK } from '../../src/math/topk.js';
import { createModel, loadModel } from '../../src/models/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const ctx = { seed: 1, threads: 1 };

/**
 * 40 users: young women (0-9) all take item 0, older men (10-19) item 1, everyone else (20-39: young
 * men, older women) item 2 and item 3; item 2 is the most popular overall. User 40 has no events.
 */
function people(): TrainData {
  const b = new AttributeTableBuilder({ age: 'numeric', gender: 'categorical', occupation: 'categorical' });
  const u: number[] = [];
  const i: number[] = [];
  for (let user = 0; user < 41; user++) {
    const young = user < 10 || (user >= 20 && user < 30);
    const woman = user < 10 || user >= 30;
    b.setNumeric('age', user, young ? 22 : 52);
    b.setCategorical('gender', user, woman ? 'F' : 'M');
    b.setCategorical('occupation', user, user % 2 ? 'writer' : 'nurse');
    if (user === 40) continue;
    const items = user < 10 ? [0] : user < 20 ? [1] : [2, 3];
    for (const item of items) u.push(user), i.push(item);
  }
  const x = new Interactions(Int32Array.from(u), Int32Array.from(i), new Float32Array(u.length).fill(1), new Float64Array(u.length));
  return makeTrainData(x, 41, 5, { userTable: b.build(41) });
}

const best = (scores: Float32Array) => topK(scores, 1).indices[0];

test('demographic: the popular items of the user\'s groups, for users with no events at all', async () => {
  const train = people();
  const model = createModel('demographic', { groups: [['age', 'gender']], smoothing: 2 });
  await model.fit(train, ctx);
  const out = new Float32Array(5);
  model.scoreUser(3, out);
  assert.equal(best(out), 0, 'young women: item 0');
  model.scoreUser(15, out);
  assert.equal(best(out), 1, 'older men: item 1');
  // a new visitor known only by attributes
  model.foldIn!({ items: new Int32Array(0), attributes: { age: 19, gender: 'F' } }, out);
  assert.equal(best(out), 0);
  model.foldIn!({ items: new Int32Array(0), attributes: { age: 51, gender: 'M' } }, out);
  assert.equal(best(out), 1);
  // unknown or missing attributes: global popularity
  model.foldIn!({ items: new Int32Array(0), attributes: { gender: 'X' } }, out);
  assert.equal(best(out), 2);
  model.foldIn!({ items: new Int32Array(0) }, out);
  assert.equal(best(out), 2);
  // a held-out user by dense id (attributes in the table, no events): user 40 is an older woman
  model.foldIn!({ items: new Int32Array(0), user: 40 }, out);
  assert.equal(best(out), 2);
  // smoothing: a group's scores lean on the global ones, never zero for a globally popular item
  model.scoreUser(3, out);
  assert.ok(out[2]! > 0 && out[2]! < out[0]!);
  assert.equal(out[4], 0, 'an item nobody took');

  const reasons = model.explain!(3, 0);
  assert.match(reasons[0]!.text, /age: 18–24 & gender: F/);
  assert.match(reasons[0]!.text, /of 10 users/);
  const copy = loadModel(structuredClone(model.save()));
  const a = new Float32Array(5);
  copy.foldIn!({ items: new Int32Array(0), attributes: { age: 19, gender: 'F' } }, a);
  model.foldIn!({ items: new Int32Array(0), attributes: { age: 19, gender: 'F' } }, out);
  assert.deepEqual(a, out);
});

test('demographic: default groupings and clear errors', async () => {
  const train = people();
  const model = createModel('demographic');
  await model.fit(train, ctx);
  const groups = (model.save().meta.groupings as { attrs: number[] }[]).map((g) => g.attrs.length);
  assert.deepEqual(groups, [2, 1], 'age x gender, then occupation');
  await assert.rejects(createModel('demographic', { groups: [['zodiac']] }).fit(train, ctx), /no user attribute "zodiac"/);
  await assert.rejects(createModel('demographic').fit({ ...train, userTable: undefined }, ctx), /needs user attributes/);
});

test('demographic on ml-100k cold-users (no events): beats global popularity', async () => {
  const dataset = cleanDataset(await loadDataset(join(SHARED_DATA, 'ml-100k')));
  const ndcg = async (model: string, seed: number) =>
    (await runEvaluation({ dataset, model, protocol: 'cold-users', seed, ks: [10], coldEvents: 0 })).metrics['ndcg@10']!;
  // measured, seed 42: demographic 0.538 vs popularity 0.523 (1.03x); over seeds 1..10 it wins every
  // time, by 1-7% (mean 4%): about 94 held-out users per split, so each split is noisy
  const ratios: number[] = [];
  for (const seed of [42, 1, 2]) ratios.push((await ndcg('demographic', seed)) / (await ndcg('popularity', seed)));
  for (const r of ratios) assert.ok(r > 1.0, `ratios ${ratios}`);
  assert.ok(ratios.reduce((s, r) => s + r, 0) / ratios.length > 1.02, `ratios ${ratios}`);
});
