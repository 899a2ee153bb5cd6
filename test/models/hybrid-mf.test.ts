import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { Rng } from '../../src/math/rng.js';
import type { HybridMf } from '../../src/models/hybrid-mf.js';
import { createModel, loadModel } from '../../src/models/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const N_ITEMS = 200;
const WARM = 160; // items 160..199 never appear in train: cold
const N_USERS = 120;
const genreOf = (i: number): number => i % 4;
/** users 0..59 are 'F' and like genre 0 or 1; 60..119 are 'M' and like genre 2 or 3 */
const tasteOf = (u: number): number => (u < 60 ? 0 : 2) + (u % 2);

/** A planted world: each user interacts with 12 warm items of their genre (and 1 random other). */
function plantedWorld(): TrainData {
  const items = new AttributeTableBuilder({ genres: 'multi' });
  for (let i = 0; i < N_ITEMS; i++) items.setMulti('genres', i, [`g${genreOf(i)}`]);
  const users = new AttributeTableBuilder({ gender: 'categorical' });
  for (let u = 0; u < N_USERS; u++) users.setCategorical('gender', u, u < 60 ? 'F' : 'M');
  const rng = new Rng(7);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < N_USERS; u++) {
    const own = new Set<number>();
    while (own.size < 12) own.add(tasteOf(u) + 4 * rng.int(WARM / 4));
    own.add(rng.int(WARM));
    for (const i of own) {
      us.push(u);
      is.push(i);
    }
  }
  const x = new Interactions(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), new Float64Array(us.length));
  return makeTrainData(x, N_USERS, N_ITEMS, { itemTable: items.build(N_ITEMS), userTable: users.build(N_USERS) });
}

/** Share of (liked-genre item, other item) pairs among `candidates` that the scores order correctly. */
function pairwiseAccuracy(scores: Float32Array, liked: (i: number) => boolean, candidates: number[]): number {
  let good = 0;
  let pairs = 0;
  for (const a of candidates) {
    if (!liked(a)) continue;
    for (const b of candidates) {
      if (liked(b)) continue;
      pairs++;
      if (scores[a]! > scores[b]!) good++;
    }
  }
  return good / pairs;
}

const cold = Array.from({ length: N_ITEMS - WARM }, (_, k) => WARM + k);

for (const loss of ['warp', 'bpr'] as const) {
  test(`hybrid-mf (${loss}) scores cold items from their features (no id embedding), recovering each user's planted genre`, async () => {
    const train = plantedWorld();
    const model = createModel('hybrid-mf', { loss, factors: 8, epochs: 30 }) as HybridMf;
    await model.fit(train, { seed: 3, threads: 1 });
    const out = new Float32Array(N_ITEMS);
    let sum = 0;
    for (let u = 0; u < N_USERS; u++) {
      model.scoreUser(u, out);
      sum += pairwiseAccuracy(out, (i) => genreOf(i) === tasteOf(u), cold);
    }
    assert.ok(sum / N_USERS > 0.9, `cold-item pairwise accuracy ${sum / N_USERS}`);
  });
}

test('hybrid-mf: a new visitor known only by an attribute gets the taste of their group; fold-in from events sharpens it', async () => {
  const train = plantedWorld();
  const model = createModel('hybrid-mf', { factors: 8, epochs: 15 }) as HybridMf;
  await model.fit(train, { seed: 3, threads: 1 });
  const all = Array.from({ length: N_ITEMS }, (_, i) => i);
  const out = new Float32Array(N_ITEMS);
  model.foldIn({ items: new Int32Array(0), attributes: { gender: 'F' } }, out);
  const byAttribute = pairwiseAccuracy(out, (i) => genreOf(i) < 2, all);
  assert.ok(byAttribute > 0.8, `'F' visitor prefers genres 0-1: ${byAttribute}`);
  // the same visitor after three genre-1 events prefers genre 1 over genre 0
  model.foldIn({ items: Int32Array.of(1, 5, 9), attributes: { gender: 'F' } }, out);
  const byEvents = pairwiseAccuracy(out, (i) => genreOf(i) === 1, all.filter((i) => genreOf(i) < 2));
  assert.ok(byEvents > 0.8, `after genre-1 events, genre 1 over genre 0: ${byEvents}`);
});

test('hybrid-mf: explanations are the item columns that sum to the score; save/load gives identical scores', async () => {
  const train = plantedWorld();
  const model = createModel('hybrid-mf', { factors: 8, epochs: 5 }) as HybridMf;
  await model.fit(train, { seed: 3, threads: 1 });
  const a = new Float32Array(N_ITEMS);
  model.scoreUser(4, a);
  const item = 8; // warm, genre 0 (user 4 likes genre 0)
  const parts = model.featureContributions(4, item);
  assert.deepEqual(parts.map((p) => p.name).sort(), ['genre: g0', 'id']);
  const total = parts.reduce((s, p) => s + p.weight, 0);
  assert.ok(Math.abs(total - a[item]!) < 1e-4, `contributions ${total} vs score ${a[item]}`);
  // a cold item's reasons are its genre and what the model learnt of items nobody has touched; they sum to its score
  const coldParts = model.featureContributions(4, 180);
  assert.deepEqual(coldParts.map((p) => p.name).sort(), ['genre: g0', 'unseen item']);
  const coldTotal = coldParts.reduce((s, p) => s + p.weight, 0);
  assert.ok(Math.abs(coldTotal - a[180]!) < 1e-4, `cold contributions ${coldTotal} vs score ${a[180]}`);

  const restored = loadModel(structuredClone(model.save()));
  const b = new Float32Array(N_ITEMS);
  restored.scoreUser(4, b);
  assert.deepEqual(b, a);
  const fa = new Float32Array(N_ITEMS);
  const fb = new Float32Array(N_ITEMS);
  model.foldIn!({ items: Int32Array.of(1, 2), attributes: { gender: 'M' } }, fa);
  restored.foldIn!({ items: Int32Array.of(1, 2), attributes: { gender: 'M' } }, fb);
  assert.deepEqual(fb, fa);
});

test('hybrid-mf: an item put after training gets the vector a cold item with the same attributes has at fit time (features + unseen-item column)', async () => {
  const train = plantedWorld();
  const model = createModel('hybrid-mf', { factors: 8, epochs: 5 }) as HybridMf;
  await model.fit(train, { seed: 3, threads: 1 });
  const put = model.itemVectorOf({ genres: ['g0'] })!;
  const id = model.itemIndex().add(put.vector, put.bias);
  for (const u of [4, 70]) {
    // item 180 is cold, genre 0: the put item scores as it does
    const top = model.retrieve(u, N_ITEMS + 1);
    const scoreOf = (i: number): number => top.scores[top.indices.indexOf(i)]!;
    assert.ok(Math.abs(scoreOf(id) - scoreOf(180)) < 1e-5, `user ${u}: put item ${scoreOf(id)} vs cold item ${scoreOf(180)}`);
  }
  // without the unseen-item column the two agree too, on the features alone
  const plain = createModel('hybrid-mf', { factors: 8, epochs: 5, unseenItemColumn: false }) as HybridMf;
  await plain.fit(train, { seed: 3, threads: 1 });
  assert.deepEqual(plain.featureContributions(4, 180).map((p) => p.name), ['genre: g0']);
  const plainPut = plain.itemVectorOf({ genres: ['g0'] })!;
  const plainId = plain.itemIndex().add(plainPut.vector, plainPut.bias);
  const plainTop = plain.retrieve(4, N_ITEMS + 1);
  const plainScore = (i: number): number => plainTop.scores[plainTop.indices.indexOf(i)]!;
  assert.ok(Math.abs(plainScore(plainId) - plainScore(180)) < 1e-5, `without the column: put ${plainScore(plainId)} vs cold ${plainScore(180)}`);
});

test('hybrid-mf: with no item lacking train events there is no unseen-item column (nothing would train it), and the fit is the same as with it off', async () => {
  const world = plantedWorld();
  // the same world with one extra event on every item, so none is cold
  const x = world.interactions;
  const extra = Int32Array.from({ length: N_ITEMS }, (_, i) => i % N_USERS);
  const all = new Interactions(
    Int32Array.from([...x.user, ...extra]),
    Int32Array.from([...x.item, ...Array.from({ length: N_ITEMS }, (_, i) => i)]),
    new Float32Array(x.length + N_ITEMS).fill(1),
    new Float64Array(x.length + N_ITEMS),
  );
  const train = makeTrainData(all, N_USERS, N_ITEMS, { itemTable: world.itemTable, userTable: world.userTable });
  const on = createModel('hybrid-mf', { factors: 8, epochs: 3 }) as HybridMf;
  await on.fit(train, { seed: 3, threads: 1 });
  const off = createModel('hybrid-mf', { factors: 8, epochs: 3, unseenItemColumn: false }) as HybridMf;
  await off.fit(train, { seed: 3, threads: 1 });
  const a = on.save();
  const b = off.save();
  assert.deepEqual(a.arrays, b.arrays);
  const put = on.itemVectorOf({ genres: ['g0'] })!;
  const putOff = off.itemVectorOf({ genres: ['g0'] })!;
  assert.deepEqual(put.vector, putOff.vector, 'an item put after training scores from its features alone');
});

/**
 * A MovieLens-like world for cold items: four taste groups; an item that people watch carries two tags of
 * its group's family (tags are applied by those who watched it), a long-tail item carries none; every item
 * has a genre drawn at random (no signal). Items 240..299 are cold. The only signal on a cold item is its tags.
 */
test('hybrid-mf ranks cold items by a tag-like multi-valued feature: each group\'s tagged cold items above every other cold item', async () => {
  const nItems = 300;
  const warm = 240;
  const nUsers = 160;
  const family = (i: number): number => i % 4;
  const tagged = (i: number): boolean => i % 3 !== 0;
  const taste = (u: number): number => u % 4;
  const rng = new Rng(11);
  const table = new AttributeTableBuilder({ genres: 'multi', tags: 'multi' });
  for (let i = 0; i < nItems; i++) {
    table.setMulti('genres', i, [`g${rng.int(5)}`]);
    if (tagged(i)) table.setMulti('tags', i, [`f${family(i)}-t${rng.int(4)}`, `f${family(i)}-t${4 + rng.int(4)}`]);
  }
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < nUsers; u++) {
    const own = new Set<number>();
    while (own.size < 10) {
      const i = rng.int(warm);
      if (tagged(i) && family(i) === taste(u)) own.add(i);
    }
    while (own.size < 12) {
      const i = rng.int(warm);
      if (!tagged(i)) own.add(i);
    }
    for (const i of own) {
      us.push(u);
      is.push(i);
    }
  }
  const x = new Interactions(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), new Float64Array(us.length));
  const train = makeTrainData(x, nUsers, nItems, { itemTable: table.build(nItems) });
  const model = createModel('hybrid-mf', { factors: 8, epochs: 30 }) as HybridMf;
  await model.fit(train, { seed: 3, threads: 1 });
  const coldItems = Array.from({ length: nItems - warm }, (_, k) => warm + k);
  const out = new Float32Array(nItems);
  let sum = 0;
  for (let u = 0; u < nUsers; u++) {
    model.scoreUser(u, out);
    sum += pairwiseAccuracy(out, (i) => tagged(i) && family(i) === taste(u), coldItems);
  }
  // chance (and popularity: every cold item has 0 train events) is 0.5
  assert.ok(sum / nUsers > 0.95, `cold-item pairwise accuracy ${sum / nUsers}`);
});

const ml100k = path.join(SHARED_DATA, 'ml-100k');
test('hybrid-mf beats popularity on ml-100k (ratio, seed 42)', { skip: !existsSync(ml100k) && 'ml-100k not found' }, async () => {
  const dataset = await loadDataset(ml100k);
  const run = async (model: string, params = {}) =>
    (await runEvaluation({ dataset, model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics['ndcg@10']!;
  const popularity = await run('popularity');
  const hybrid = await run('hybrid-mf', { factors: 16, epochs: 10 });
  assert.ok(hybrid > 1.3 * popularity, `hybrid-mf ${hybrid} vs popularity ${popularity}`);
});

test('the cold-item baseline: popularity with seeded ties keeps every count order and shuffles only equal counts', async () => {
  const train = plantedWorld(); // items 160..199 have no events: all tied at 0
  const index = createModel('popularity');
  const seeded = createModel('popularity', { ties: 'seeded' });
  await index.fit(train, { seed: 1, threads: 1 });
  await seeded.fit(train, { seed: 1, threads: 1 });
  const a = new Float32Array(N_ITEMS);
  const b = new Float32Array(N_ITEMS);
  index.scoreUser(0, a);
  seeded.scoreUser(0, b);
  for (let i = 0; i < N_ITEMS; i++) for (let j = 0; j < N_ITEMS; j++) if (a[i]! > a[j]!) assert.ok(b[i]! > b[j]!, `order of ${i}, ${j} kept`);
  const coldOrder = cold.slice().sort((i, j) => b[j]! - b[i]!);
  assert.notDeepEqual(coldOrder, cold, 'tied cold items are no longer in catalogue order');
});
