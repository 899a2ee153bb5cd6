import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { sparseDot } from '../features/block.js';
import { itemFeatures, type ItemFeatureOptions } from '../features/item.js';
import { topK } from '../math/topk.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from '../models/recommender.js';

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): re-rank a candidate pool greedily, each
 * step taking the item with the best
 *     lambda * relevance(i) - (1 - lambda) * max_{j already taken} sim(i, j),
 * so a list stops repeating near-duplicates at a small cost in relevance. Relevance is the model score
 * min-max scaled to [0, 1] within the pool (scores of different models live on different scales);
 * similarity is the cosine of the items' feature vectors (rows of an L2-normalised feature matrix).
 */
export interface MmrOptions {
  /** 1 = relevance only (the model's order), 0 = diversity only; default 0.7 */
  lambda?: number;
  /** how many of the best-scored items are re-ranked (default 100) */
  pool?: number;
  /** items never to return (seen items), 1 = excluded */
  exclude?: Uint8Array;
}

/** The k items chosen by MMR, in order. */
export function mmrRerank(scores: Float32Array, k: number, features: Csr, options: MmrOptions = {}): Int32Array {
  const lambda = options.lambda ?? 0.7;
  if (!(lambda >= 0 && lambda <= 1)) throw new UnirecError(`MMR lambda must be between 0 and 1, got ${lambda}`);
  const pool = topK(scores, Math.max(k, options.pool ?? 100), options.exclude);
  return mmrOrder(pool.indices, pool.scores, k, features, lambda).subarray(0, Math.min(k, pool.indices.length));
}

/**
 * MMR over a given pool (items with their relevance, any order): the pool reordered, its first k
 * positions chosen greedily, the rest after them in their pool order. O(k * pool) similarity merges.
 * `aggregate` 'max' is MMR's redundancy (the closest item already taken); 'mean' is the mean similarity
 * to the items taken, the greedy step of intra-list diversity itself (1 - mean pairwise similarity).
 */
export function mmrOrder(
  items: Int32Array,
  relevance: ArrayLike<number>,
  k: number,
  features: Csr,
  lambda: number,
  aggregate: 'max' | 'mean' = 'max',
): Int32Array {
  const n = items.length;
  const take = Math.min(k, n);
  const out = new Int32Array(n);
  if (n === 0) return out;
  const rel = scaleToUnit(relevance);
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
      const s = sparseDot(features, item, features, items[p]!);
      if (s > maxSim[p]!) maxSim[p] = s;
      sumSim[p]! += s;
    }
  }
  let at = take;
  for (let p = 0; p < n; p++) if (!taken[p]) out[at++] = items[p]!;
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

/**
 * A model with MMR re-ranking on top: `scoreUser` / `foldIn` write the re-ranked top `k` first (scores
 * above every other item, in MMR order) and the model's own order below them, so any top-k consumer
 * (the evaluator, the server) sees the diversified list. Items the user has seen in train (and valid)
 * are excluded before re-ranking. The item features come from the train item table.
 */
export class MmrReranker implements Recommender {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  private features!: Csr;
  private seen: Csr | undefined;
  private validSeen: Csr | undefined;
  private mask: Uint8Array = new Uint8Array(0);

  constructor(
    readonly base: Recommender,
    readonly options: { lambda?: number; pool?: number; k?: number; features?: ItemFeatureOptions } = {},
  ) {
    this.name = `mmr(${base.name})`;
    this.params = { ...base.params, mmr: { lambda: options.lambda ?? 0.7, pool: options.pool ?? 100, k: options.k ?? 20 } };
  }

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    await this.base.fit(train, ctx);
    if (!train.itemTable) throw new UnirecError('MMR re-ranking needs item attributes for item similarity, and this data has none');
    this.features = itemFeatures(train.itemTable, this.options.features).matrix;
    this.seen = train.byUser;
    this.validSeen = ctx.valid?.length ? Csr.byUser(ctx.valid, train.nUsers, train.nItems) : undefined;
    this.mask = new Uint8Array(train.nItems);
  }

  scoreUser(user: number, out: Float32Array): void {
    this.base.scoreUser(user, out);
    const rows = [this.seen, this.validSeen].filter((m): m is Csr => m !== undefined && user < m.nRows).map((m) => m.rowIndices(user));
    this.rerank(out, rows);
  }

  foldIn(history: History, out: Float32Array): void {
    if (!this.base.foldIn) throw new UnirecError(`model "${this.base.name}" cannot fold in new users`);
    this.base.foldIn(history, out);
    this.rerank(out, [history.items]);
  }

  private rerank(out: Float32Array, seen: Int32Array[]): void {
    for (const items of seen) for (const i of items) this.mask[i] = 1;
    const k = this.options.k ?? 20;
    const chosen = mmrRerank(out, k, this.features, { lambda: this.options.lambda, pool: this.options.pool, exclude: this.mask });
    for (const items of seen) for (const i of items) this.mask[i] = 0;
    let top = -Infinity;
    for (let i = 0; i < out.length; i++) if (out[i]! > top) top = out[i]!;
    // above every score, in MMR order (a float32 step of at least 1 keeps them distinct)
    const step = Math.max(1, Math.abs(top) * 1e-3);
    chosen.forEach((item, rank) => (out[item] = top + step * (chosen.length - rank)));
  }

  explain(user: number, item: number, limit?: number): Reason[] {
    return this.base.explain?.(user, item, limit) ?? [];
  }

  /** The re-ranker holds no trained state of its own: this is the base model's artifact. */
  save(): ModelArtifact {
    return this.base.save();
  }
}
