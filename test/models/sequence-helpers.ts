import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { Rng } from '../../src/math/rng.js';
import { topK } from '../../src/math/topk.js';
import type { Recommender } from '../../src/models/recommender.js';

/**
 * Planted order: each user walks a chain start, start+1, start+2, ... (mod nItems), so the next item
 * is fully determined by the last one, while every item is about equally popular. Starts are skewed
 * toward low item ids so popularity has something (wrong) to latch on to. The last step of each walk
 * is the test item, the one before it valid.
 */
export function chainWalks(seed: number, nUsers = 300, nItems = 60): { train: TrainData; valid: Interactions; test: Int32Array } {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const t: number[] = [];
  const valid: number[][] = [[], [], []];
  const test = new Int32Array(nUsers);
  for (let user = 0; user < nUsers; user++) {
    const start = Math.floor(nItems * rng.next() ** 2);
    const length = 6 + rng.int(10);
    for (let k = 0; k < length; k++) {
      const item = (start + k) % nItems;
      if (k === length - 1) test[user] = item;
      else if (k === length - 2) {
        valid[0]!.push(user);
        valid[1]!.push(item);
        valid[2]!.push(1000 + k);
      } else {
        u.push(user);
        i.push(item);
        t.push(1000 + k);
      }
    }
  }
  const x = new Interactions(Int32Array.from(u), Int32Array.from(i), new Float32Array(u.length).fill(1), Float64Array.from(t));
  const v = new Interactions(Int32Array.from(valid[0]!), Int32Array.from(valid[1]!), new Float32Array(valid[0]!.length).fill(1), Float64Array.from(valid[2]!));
  return { train: makeTrainData(x, nUsers, nItems), valid: v, test };
}

/** Hit rate at 10 of each user's test item, excluding the user's train and valid items. */
export function hitRate(model: Recommender, train: TrainData, valid: Interactions, test: Int32Array): number {
  const scores = new Float32Array(train.nItems);
  const seen = new Uint8Array(train.nItems);
  const validItem = new Int32Array(train.nUsers).fill(-1);
  for (let r = 0; r < valid.length; r++) validItem[valid.user[r]!] = valid.item[r]!;
  let hits = 0;
  for (let u = 0; u < train.nUsers; u++) {
    model.scoreUser(u, scores);
    seen.fill(0);
    for (const i of train.byUser.rowIndices(u)) seen[i] = 1;
    if (validItem[u]! >= 0) seen[validItem[u]!] = 1;
    if (topK(scores, 10, seen).indices.includes(test[u]!)) hits++;
  }
  return hits / train.nUsers;
}
