import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { itemFeatures } from '../../src/features/item.js';
import { Rng } from '../../src/math/rng.js';
import { createModel, loadModel } from '../../src/models/index.js';
import type { TwoTower } from '../../src/models/two-tower.js';
import { decodeArtifact, encodeArtifact } from '../../src/store/artifact-codec.js';
import { itemTextVectors } from '../../src/text/item-vectors.js';
import { plantedBlocks, plantedQuality, type Planted } from '../helpers/planted.js';

// text vectors (use-lite) are cached in a temporary folder, not the repo's .cache
const cacheDir = mkdtempSync(join(tmpdir(), 'unirec-tt-'));
process.env.UNIREC_CACHE_DIR = cacheDir;
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const BLOCK_WORDS = [
  ['alien', 'galaxy', 'starship', 'planet', 'rocket', 'astronaut', 'robot', 'spaceship'],
  ['love', 'wedding', 'romance', 'kiss', 'heart', 'bride', 'valentine', 'sweetheart'],
  ['war', 'soldier', 'battle', 'army', 'tank', 'sniper', 'trench', 'battalion'],
  ['cooking', 'kitchen', 'chef', 'recipe', 'baking', 'dinner', 'pastry', 'restaurant'],
];
const COLD_PER_BLOCK = 5;

/**
 * Planted blocks (users like their block's items) with the last 5 items of each block made cold (no
 * train events). Items carry their block as a genre ('genres') and/or in their title's words; users
 * carry their block as an occupation for 80% of them.
 */
function planted(seed: number, itemSide: { genres?: boolean; titles?: boolean }): Planted & { cold: Int32Array } {
  const p = plantedBlocks(seed, { blocks: 4, itemsPerBlock: 25, usersPerBlock: 30 });
  const nItems = p.train.nItems;
  const rng = new Rng(seed + 1);
  const cold = Int32Array.from({ length: nItems }, (_, i) => i).filter((i) => i % 25 >= 25 - COLD_PER_BLOCK);
  const isCold = new Uint8Array(nItems);
  for (const i of cold) isCold[i] = 1;
  const items = new AttributeTableBuilder({ title: 'text', genres: 'multi' });
  for (let i = 0; i < nItems; i++) {
    const words = BLOCK_WORDS[p.blockOfItem[i]!]!;
    if (itemSide.titles) items.setText('title', i, `${words[rng.int(8)]} ${words[rng.int(8)]}`);
    else items.setText('title', i, `item ${i}`);
    if (itemSide.genres) items.setMulti('genres', i, [`g${p.blockOfItem[i]}`]);
  }
  const users = new AttributeTableBuilder({ occupation: 'categorical' });
  for (let u = 0; u < p.train.nUsers; u++) users.setCategorical('occupation', u, `occ${rng.next() < 0.8 ? p.blockOfUser[u] : rng.int(4)}`);
  const x = p.train.interactions;
  const keep = Array.from({ length: x.length }, (_, r) => r).filter((r) => !isCold[x.item[r]!]);
  const train: TrainData = makeTrainData(x.select(keep), p.train.nUsers, nItems, { itemTable: items.build(nItems), userTable: users.build(p.train.nUsers) });
  return { ...p, train, cold };
}

/** For users outside block 0: the share of (own-block cold item, other-block cold item) pairs scored in the right order. */
function coldPairAccuracy(model: { scoreUser(u: number, out: Float32Array): void }, p: Planted & { cold: Int32Array }): number {
  const out = new Float32Array(p.train.nItems);
  let right = 0;
  let pairs = 0;
  for (let u = 0; u < p.train.nUsers; u++) {
    if (p.blockOfUser[u] === 0) continue;
    model.scoreUser(u, out);
    for (const a of p.cold) {
      if (p.blockOfItem[a] !== p.blockOfUser[u]) continue;
      for (const b of p.cold) {
        if (p.blockOfItem[b] === p.blockOfUser[u]) continue;
        pairs++;
        if (out[a]! > out[b]!) right++;
      }
    }
  }
  return right / pairs;
}

/**
 * The plain-JS item tower (coldItemVector, what places an item put after training) against the
 * TensorFlow.js one (the stored vectors): for every cold item (no id embedding), on the same feature row
 * (recomputed as the model's itemInputs does) and text vector, within 1e-5.
 */
function assertColdVectorsMatch(model: TwoTower, p: Planted & { cold: Int32Array }, text?: { vectors: Float32Array; dim: number }): void {
  const weights: Record<string, number> = text ? { title: 0, name: 0, description: 0 } : {};
  const f = itemFeatures(p.train.itemTable!, { weights }).matrix;
  const { vectors, dim } = model.itemEmbeddings();
  for (const i of p.cold) {
    const row = new Map<number, number>();
    f.rowIndices(i).forEach((c, k) => row.set(c, f.rowData(i)[k]!));
    const v = model.coldItemVector(row, text?.vectors.subarray(i * text.dim, (i + 1) * text.dim));
    for (let k = 0; k < dim; k++) assert.ok(Math.abs(v[k]! - vectors[i * dim + k]!) < 1e-5, `cold item ${i}, dim ${k}: ${v[k]} vs ${vectors[i * dim + k]}`);
  }
}

const small = { dim: 32, hidden: 64, batchSize: 128, epochs: 25, learningRate: 0.01, historyLength: 20 };

test('two-tower: recovers planted taste blocks and places cold items by their genre alone', async () => {
  const p = planted(7, { genres: true });
  const model = createModel('two-tower', { ...small, textEncoder: 'none' }) as TwoTower;
  await model.fit(p.train, { seed: 3, threads: 1 });
  const q = plantedQuality(model, p);
  assert.ok(q.inBlock > 0.8, `share of own-block items in top-10: ${q.inBlock}`);
  assert.ok(q.hit > 2 * q.popularityHit, `hit@10 ${q.hit} vs popularity ${q.popularityHit}`);
  const acc = coldPairAccuracy(model, p);
  assert.ok(acc > 0.9, `cold items ordered by genre: ${acc}`);
  assertColdVectorsMatch(model, p);

  // without the genre the item tower has nothing to go on for cold items: near chance
  const blind = planted(7, {});
  const plain = createModel('two-tower', { ...small, textEncoder: 'none' });
  await plain.fit(blind.train, { seed: 3, threads: 1 });
  assert.ok(coldPairAccuracy(plain, blind) < 0.7, `no features: ${coldPairAccuracy(plain, blind)}`);
});

test('two-tower: pretrained text vectors of titles place cold items (use-lite)', async () => {
  const p = planted(11, { titles: true });
  const model = createModel('two-tower', { ...small, textEncoder: 'use-lite' }) as TwoTower;
  await model.fit(p.train, { seed: 3, threads: 1 });
  const acc = coldPairAccuracy(model, p);
  assert.ok(acc > 0.8, `cold items ordered by title meaning: ${acc}`);
  assertColdVectorsMatch(model, p, await itemTextVectors(p.train.itemTable!, { encoder: 'use-lite' }));
});

test('two-tower: fold-in from attributes alone, save/load round trip gives identical scores', async () => {
  const p = planted(5, { genres: true });
  const model = createModel('two-tower', { ...small, textEncoder: 'none', historyDropout: 0.3 }) as TwoTower;
  await model.fit(p.train, { seed: 1, threads: 1 });
  const n = p.train.nItems;

  // a new visitor with only an occupation gets that block's items first
  const visitor = new Float32Array(n);
  model.foldIn({ items: new Int32Array(0), attributes: { occupation: 'occ2' } }, visitor);
  let own = 0;
  let other = 0;
  for (let i = 0; i < n; i++) (p.blockOfItem[i] === 2 ? (own += visitor[i]! / 25) : (other += visitor[i]! / 75));
  assert.ok(own > other + 0.05, `occupation 2 visitor: own block ${own} vs others ${other}`);

  // fold-in of a known user's history (and id) matches their score vector
  const u = 130;
  const scored = new Float32Array(n);
  model.scoreUser(u, scored);
  const folded = new Float32Array(n);
  model.foldIn({ items: p.train.byUser.rowIndices(u), user: u }, folded);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(scored[i]! - folded[i]!) < 1e-5);

  const bytes = encodeArtifact(model.save());
  const back = loadModel(decodeArtifact(bytes).artifact) as TwoTower;
  const again = new Float32Array(n);
  back.scoreUser(u, again);
  assert.deepEqual(again, scored);
  const visitorAgain = new Float32Array(n);
  back.foldIn({ items: new Int32Array(0), attributes: { occupation: 'occ2' } }, visitorAgain);
  assert.deepEqual(visitorAgain, visitor);
  assert.deepEqual(back.similarItems(3, 5), model.similarItems(3, 5));
  assert.deepEqual(back.itemEmbeddings().vectors, model.itemEmbeddings().vectors);
  // an item put after training, from its genre alone: the vector of that genre's cold items (their only
  // feature is that genre), kept through save/load; attributes it does not know give no vector
  const made = model.itemVectorOf({ genres: ['g2'], colour: 'red' })!;
  const cold2 = p.cold.find((i) => p.blockOfItem[i] === 2)!;
  const d = model.itemEmbeddings().dim;
  for (let k = 0; k < d; k++) assert.ok(Math.abs(made.vector[k]! - model.itemEmbeddings().vectors[cold2 * d + k]!) < 1e-5);
  assert.deepEqual(back.itemVectorOf({ genres: ['g2'] }), made);
  assert.equal(model.itemVectorOf({ colour: 'red' }), undefined);
  // an artifact saved before the item tower was kept still loads, and places no new item
  const old = model.save();
  old.arrays = Object.fromEntries(Object.entries(old.arrays).filter(([name]) => !name.startsWith('tower:item.')));
  delete old.meta.itemFeatureNames;
  const legacy = loadModel(decodeArtifact(encodeArtifact(old)).artifact) as TwoTower;
  const legacyScores = new Float32Array(n);
  legacy.scoreUser(u, legacyScores);
  assert.deepEqual(legacyScores, scored);
  assert.equal(legacy.itemVectorOf({ genres: ['g2'] }), undefined);
  assert.deepEqual([model.placesNewItems(), back.placesNewItems(), legacy.placesNewItems()], [true, true, false]);

  // similar items of a cold item are items of its own block
  const sim = model.similarItems(p.cold[0]!, 5);
  assert.ok(Array.from(sim.indices).filter((i) => p.blockOfItem[i] === p.blockOfItem[p.cold[0]!]).length >= 4);
});

test('two-tower: same seed, same scores', async () => {
  const p = planted(9, { genres: true });
  const run = async () => {
    const m = createModel('two-tower', { ...small, textEncoder: 'none', epochs: 3 });
    await m.fit(p.train, { seed: 42, threads: 1 });
    const out = new Float32Array(p.train.nItems);
    m.scoreUser(10, out);
    return out;
  };
  assert.deepEqual(await run(), await run());
});
