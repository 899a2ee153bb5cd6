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
  test(`hybrid-mf (${loss}) scores cold items from their features alone, recovering each user's planted genre`, async () => {
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
  // a cold item's only reason is its genre
  assert.deepEqual(model.explain(4, 180).map((r) => r.text), ['genre: g0']);

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
