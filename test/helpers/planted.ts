import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import type { Recommender } from '../../src/models/recommender.js';
import { Rng } from '../../src/math/rng.js';
import { topK } from '../../src/math/topk.js';

/**
 * Planted block structure: users and items fall in blocks; a user has each item of their own block with
 * probability pIn and any other item with probability pOut. Block 0 has many more users, so its items
 * are the most popular overall: a popularity ranking recommends them to everybody, a model that finds
 * the blocks recommends each user their own block. Two in-block items per user are held out as test.
 */
export interface Planted {
  train: TrainData;
  /** held-out items per user */
  test: number[][];
  blockOfUser: Int32Array;
  blockOfItem: Int32Array;
}

export function plantedBlocks(
  seed: number,
  opts: { blocks?: number; itemsPerBlock?: number; usersPerBlock?: number; pIn?: number; pOut?: number; ratings?: boolean } = {},
): Planted {
  const blocks = opts.blocks ?? 5;
  const itemsPerBlock = opts.itemsPerBlock ?? 20;
  const pIn = opts.pIn ?? 0.4;
  const pOut = opts.pOut ?? 0.02;
  const small = opts.usersPerBlock ?? 60;
  const usersPerBlock = [3 * small, ...Array.from({ length: blocks - 1 }, () => small)];
  const nUsers = usersPerBlock.reduce((s, v) => s + v, 0);
  const nItems = blocks * itemsPerBlock;
  const rng = new Rng(seed);
  const blockOfUser = new Int32Array(nUsers);
  const blockOfItem = new Int32Array(nItems).map((_, i) => Math.floor(i / itemsPerBlock));
  let u0 = 0;
  for (let b = 0; b < blocks; b++) for (let t = 0; t < usersPerBlock[b]!; t++) blockOfUser[u0++] = b;
  const us: number[] = [];
  const is: number[] = [];
  const vs: number[] = [];
  const test: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    const inBlock: number[] = [];
    for (let i = 0; i < nItems; i++) {
      const own = blockOfItem[i] === blockOfUser[u];
      if (rng.next() < (own ? pIn : pOut)) {
        if (own) inBlock.push(i);
        else {
          us.push(u);
          is.push(i);
          vs.push(opts.ratings ? 1 + rng.int(2) : 1);
        }
      }
    }
    rng.shuffle(inBlock);
    const held = inBlock.length >= 4 ? inBlock.slice(0, 2) : [];
    test.push(held);
    for (const i of inBlock.slice(held.length)) {
      us.push(u);
      is.push(i);
      vs.push(opts.ratings ? 4 + rng.int(2) : 1);
    }
  }
  const x = new Interactions(Int32Array.from(us), Int32Array.from(is), Float32Array.from(vs), new Float64Array(us.length));
  return { train: makeTrainData(x, nUsers, nItems, { hasRatings: !!opts.ratings }), test, blockOfUser, blockOfItem };
}

/**
 * For users outside block 0: the share of their top-10 (seen items excluded) that is in their own block,
 * and the hit rate@10 of their held-out items, for a model and for the popularity ranking.
 */
export function plantedQuality(model: Recommender, p: Planted): { inBlock: number; hit: number; popularityHit: number } {
  const { train } = p;
  const pop = new Float32Array(train.nItems);
  for (let i = 0; i < train.nItems; i++) pop[i] = train.byItem.rowLength(i) + 1e-6 * (train.nItems - i);
  const out = new Float32Array(train.nItems);
  let inBlock = 0;
  let listed = 0;
  let hits = 0;
  let popHits = 0;
  let held = 0;
  for (let u = 0; u < train.nUsers; u++) {
    if (p.blockOfUser[u] === 0) continue;
    const seen = new Uint8Array(train.nItems);
    for (const i of train.byUser.rowIndices(u)) seen[i] = 1;
    model.scoreUser(u, out);
    const top = topK(out, 10, seen);
    const popTop = topK(pop, 10, seen);
    for (const i of top.indices) if (p.blockOfItem[i] === p.blockOfUser[u]) inBlock++;
    listed += top.indices.length;
    for (const i of p.test[u]!) {
      held++;
      if (top.indices.includes(i)) hits++;
      if (popTop.indices.includes(i)) popHits++;
    }
  }
  return { inBlock: inBlock / listed, hit: hits / held, popularityHit: popHits / held };
}
