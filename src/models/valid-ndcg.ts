import type { Csr } from '../data/csr.js';
import type { Interactions } from '../data/interactions.js';
import { Rng } from '../math/rng.js';
import { topK } from '../math/topk.js';

/** Users with valid events (a seeded sample of at most `max`) and their valid items: an early-stopping signal. */
export interface ValidSet {
  users: Int32Array;
  items: Int32Array[];
}

export function validSet(valid: Interactions, nUsers: number, nItems: number, seed: number, max = 2000): ValidSet {
  const byUser = new Map<number, number[]>();
  for (let r = 0; r < valid.length; r++) {
    const u = valid.user[r]!;
    const i = valid.item[r]!;
    if (u < 0 || u >= nUsers || i < 0 || i >= nItems) continue;
    const list = byUser.get(u);
    if (list) list.push(i);
    else byUser.set(u, [i]);
  }
  const users = Int32Array.from(byUser.keys()).sort();
  if (users.length > max) new Rng(seed ^ 0x7a11d).shuffle(users);
  const kept = users.subarray(0, max).slice().sort();
  return { users: kept, items: Array.from(kept, (u) => Int32Array.from(byUser.get(u)!)) };
}

/**
 * Mean NDCG@k of the valid items over the valid users, ranking every item but the user's train items
 * (the evaluator's full ranking on the valid split). `score(u, out)` fills the scores of user u.
 */
export function validNdcg(score: (user: number, out: Float32Array) => void, v: ValidSet, byUser: Csr, nItems: number, k = 10): number {
  const scores = new Float32Array(nItems);
  const seen = new Uint8Array(nItems);
  const relevant = new Uint8Array(nItems);
  let sum = 0;
  v.users.forEach((u, n) => {
    score(u, scores);
    const own = byUser.rowIndices(u);
    for (const i of own) seen[i] = 1;
    const top = topK(scores, k, seen);
    for (const i of own) seen[i] = 0;
    const items = v.items[n]!;
    for (const i of items) relevant[i] = 1;
    let dcg = 0;
    let ideal = 0;
    top.indices.forEach((i, r) => (dcg += relevant[i] ? 1 / Math.log2(r + 2) : 0));
    for (const i of items) relevant[i] = 0;
    for (let r = 0; r < Math.min(k, items.length); r++) ideal += 1 / Math.log2(r + 2);
    sum += ideal ? dcg / ideal : 0;
  });
  return v.users.length ? sum / v.users.length : 0;
}
