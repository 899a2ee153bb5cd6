import type { Csr } from '../data/csr.js';
import { UnirecError } from '../errors.js';
import { sparseDot } from '../features/block.js';
import { topK } from '../math/topk.js';

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): re-rank a candidate pool greedily, each
 * step taking the item with the best
 *     lambda * relevance(i) - (1 - lambda) * max_{j already taken} sim(i, j),
 * so a list stops repeating near-duplicates at a small cost in relevance. Similarity is the cosine of the
 * items' feature vectors (rows of an L2-normalised feature matrix), negative cosines counted as 0 (as the
 * diversity metrics count them). Relevance is either
 *   'score'  the model score min-max scaled to [0, 1] within the pool (scores of different models live
 *            on different scales), or
 *   'rank'   the DCG weight 1 / log2(2 + r) of the item's rank r in the model's order: the same trade for
 *            every user however flat or steep their score curve is (min-max stretches a flat pool until
 *            tiny score gaps outweigh any diversity), and in the units NDCG loses when an item moves down.
 */
export type MmrRelevance = 'score' | 'rank';

export interface MmrOrderOptions {
  /** 1 = relevance only (the model's order), 0 = diversity only; default 0.7 */
  lambda?: number;
  /** redundancy of a candidate: its 'max' similarity to the items taken (MMR), or the 'mean' (default 'max') */
  aggregate?: 'max' | 'mean';
  /** default 'score' */
  relevance?: MmrRelevance;
}

export interface MmrOptions extends MmrOrderOptions {
  /** how many of the best-scored items are re-ranked (default 100) */
  pool?: number;
  /** items never to return (seen items), 1 = excluded */
  exclude?: Uint8Array;
}

/** The k items chosen by MMR, in order. */
export function mmrRerank(scores: Float32Array, k: number, features: Csr, options: MmrOptions = {}): Int32Array {
  const pool = topK(scores, Math.max(k, options.pool ?? 100), options.exclude);
  return mmrOrder(pool.indices, pool.scores, k, features, options).subarray(0, Math.min(k, pool.indices.length));
}

/**
 * MMR over a given pool (items with their relevance, any order): the pool reordered, its first k
 * positions chosen greedily, the rest after them in their pool order. O(k * pool) similarity merges.
 * `aggregate` 'max' is MMR's redundancy (the closest item already taken); 'mean' is the mean similarity
 * to the items taken, the greedy step of intra-list diversity itself (1 - mean pairwise similarity).
 */
export function mmrOrder(items: Int32Array, relevance: ArrayLike<number>, k: number, features: Csr, options: MmrOrderOptions = {}): Int32Array {
  const lambda = options.lambda ?? 0.7;
  const aggregate = options.aggregate ?? 'max';
  if (!(lambda >= 0 && lambda <= 1)) throw new UnirecError(`MMR lambda must be between 0 and 1, got ${lambda}`);
  const n = items.length;
  const take = Math.min(k, n);
  const out = new Int32Array(n);
  if (n === 0) return out;
  const rel = options.relevance === 'rank' ? rankWeights(relevance) : scaleToUnit(relevance);
  const maxSim = new Float64Array(n);
  const sumSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  for (let step = 0; step < take; step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let p = 0; p < n; p++) {
      if (taken[p]) continue;
      const redundancy = aggregate === 'max' ? maxSim[p]! : step > 0 ? sumSim[p]! / step : 0;
      const value = lambda * rel[p]! - (1 - lambda) * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = p;
      }
    }
    taken[best] = 1;
    const item = items[best]!;
    out[step] = item;
    for (let p = 0; p < n; p++) {
      if (taken[p]) continue;
      const s = Math.max(0, sparseDot(features, item, features, items[p]!));
      if (s > maxSim[p]!) maxSim[p] = s;
      sumSim[p]! += s;
    }
  }
  let at = take;
  for (let p = 0; p < n; p++) if (!taken[p]) out[at++] = items[p]!;
  return out;
}

/** 1 / log2(2 + r) for the item at rank r by relevance (best first; ties keep the pool order). */
export function rankWeights(relevance: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: relevance.length }, (_, p) => p).sort((a, b) => relevance[b]! - relevance[a]! || a - b);
  const out = new Float64Array(relevance.length);
  order.forEach((p, r) => (out[p] = 1 / Math.log2(2 + r)));
  return out;
}

/** Min-max scaling to [0, 1] (all 1 when constant): scores of different models live on different scales. */
export function scaleToUnit(values: ArrayLike<number>): Float64Array {
  let hi = -Infinity;
  let lo = Infinity;
  for (let p = 0; p < values.length; p++) {
    hi = Math.max(hi, values[p]!);
    lo = Math.min(lo, values[p]!);
  }
  return Float64Array.from(values, (s) => (hi > lo ? (s - lo) / (hi - lo) : 1));
}
