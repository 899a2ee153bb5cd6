import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { normalizeRows } from '../features/block.js';
import { itemFeatures } from '../features/item.js';
import { topK } from '../math/topk.js';
import { latentItemSpace } from '../models/latent-item-space.js';
import type { FitContext } from '../models/recommender.js';
import { calibrateOrder, groupShares, popularityGroups } from './calibrate.js';
import { blockedItems } from './filter.js';
import { mmrOrder } from './mmr.js';

/**
 * The re-rank half of the pipeline: stages applied in order to one user's scores.
 *   filter     business rules: blocked items never appear (applied to the whole row first)
 *   mmr        diversity: maximal marginal relevance over item-feature, interaction or latent cosine (mmr.ts)
 *   calibrate  popularity calibration to the user's own head/mid/tail mix (calibrate.ts)
 * The re-ordering stages work on a pool: the best `pool` unseen, unblocked items by the fused score;
 * each reorders the pool's first `k` positions, trading against the fused score (the first stage) or
 * against the order the previous stage left (later stages).
 */
export const RerankStage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mmr'),
    /** 1 = relevance only, 0 = diversity only */
    lambda: z.number().min(0).max(1).default(0.7),
    pool: z.number().int().positive().default(100),
    /**
     * 'features': cosine of the items' attribute vectors; 'interactions': cosine of their train
     * user-vectors (items consumed by the same people); 'latent': cosine in an ALS taste space fitted on
     * train (latent-item-space.ts). The last two need no item attributes.
     */
    similarity: z.enum(['features', 'interactions', 'latent']).default('features'),
    /** features: item attribute columns the similarity is computed on (default all) */
    columns: z.array(z.string()).optional(),
    /** latent: dimensions of the taste space */
    factors: z.number().int().positive().default(64),
    /** redundancy of a candidate: its 'max' similarity to the items taken (MMR), or the 'mean' (intra-list diversity's own greedy step) */
    aggregate: z.enum(['max', 'mean']).default('max'),
    /** relevance of a candidate: its min-max scaled 'score', or the DCG weight of its 'rank' (mmr.ts) */
    relevance: z.enum(['score', 'rank']).default('score'),
  }),
  z.strictObject({
    type: z.literal('calibrate'),
    /** 0 = relevance only, 1 = calibration only */
    lambda: z.number().min(0).max(1).default(0.5),
    pool: z.number().int().positive().default(100),
    /** share of train interactions taken by the head items, and by the tail items */
    head: z.number().min(0).max(1).default(0.2),
    tail: z.number().min(0).max(1).default(0.2),
  }),
  z.strictObject({
    type: z.literal('filter'),
    excludeCategories: z.array(z.string()).default([]),
    columns: z.array(z.string()).optional(),
    require: z.record(z.string(), z.array(z.union([z.string(), z.number()]))).default({}),
    excludeItems: z.array(z.number().int().nonnegative()).default([]),
  }),
]);
export type RerankStageSpec = z.infer<typeof RerankStage>;

/** What a stage was fitted to: mmr the feature matrix, calibrate the groups, filter the blocked mask. */
type StageState = { features: Csr } | { groups: Uint8Array } | { blocked: Uint8Array };

export class Reranker {
  private mask: Uint8Array;

  private constructor(
    readonly stages: readonly RerankStageSpec[],
    /** how many positions the re-ordering stages choose */
    readonly k: number,
    private readonly state: StageState[],
    readonly nItems: number,
  ) {
    this.mask = new Uint8Array(nItems);
  }

  /** `ctx` seeds the taste space of a 'latent' MMR stage (the only stage that trains anything). */
  static async fit(stages: readonly RerankStageSpec[], train: TrainData, k: number, ctx: Pick<FitContext, 'seed' | 'threads' | 'signal'>): Promise<Reranker> {
    const state: StageState[] = [];
    for (const s of stages) {
      if (s.type === 'mmr' && s.similarity === 'latent') state.push({ features: await latentItemSpace(train, s.factors, ctx) });
      else state.push(Reranker.fitStage(s, train));
    }
    return new Reranker(stages, k, state, train.nItems);
  }

  private static fitStage(s: RerankStageSpec, train: TrainData): StageState {
    switch (s.type) {
      case 'mmr':
        if (s.similarity === 'interactions') return { features: normalizeRows(train.byItem.binarized()) };
        if (!train.itemTable) throw new UnirecError('rerank "mmr" needs item attributes for item similarity, and this data has none; use "similarity": "interactions" or "latent"');
        return { features: itemFeatures(train.itemTable, s.columns ? { columns: s.columns } : {}).matrix };
      case 'calibrate':
        if (s.head + s.tail > 1) throw new UnirecError(`rerank "calibrate": head ${s.head} + tail ${s.tail} is more than 1`);
        return { groups: popularityGroups(train.byItem, s.head, s.tail) };
      case 'filter':
        return { blocked: blockedItems(s, train.itemTable, train.nItems) };
    }
  }

  /**
   * Re-ranks one user's scores in place: blocked items get -Infinity; the re-ordered pool is written
   * above every other score, in its new order. `seen` items are never in the pool; `history` (the user's
   * items) gives the calibration profile.
   */
  apply(out: Float32Array, seen: readonly Int32Array[], history: Int32Array): void {
    this.state.forEach((st) => {
      if ('blocked' in st) for (let i = 0; i < out.length; i++) if (st.blocked[i]) out[i] = -Infinity;
    });
    const reorders = this.stages.filter((s) => s.type !== 'filter') as Extract<RerankStageSpec, { pool: number }>[];
    if (!reorders.length) return;
    for (const items of seen) for (const i of items) this.mask[i] = 1;
    const pool = topK(out, Math.max(this.k, ...reorders.map((s) => s.pool)), this.mask);
    for (const items of seen) for (const i of items) this.mask[i] = 0;
    let list = pool.indices;
    // The first stage trades against the fused score; a later one against the order the previous left
    // (its rank as relevance), so a calibration after MMR keeps MMR's choices where it can.
    let first = true;
    this.stages.forEach((s, n) => {
      if (s.type === 'filter') return;
      const head = list.subarray(0, Math.min(s.pool, list.length));
      const rel = first ? Float64Array.from(pool.scores.subarray(0, head.length)) : Float64Array.from(head, (_, p) => -p);
      first = false;
      const st = this.state[n]!;
      const ordered =
        s.type === 'mmr'
          ? mmrOrder(head, rel, this.k, (st as { features: Csr }).features, { lambda: s.lambda, aggregate: s.aggregate, relevance: s.relevance })
          : calibrateOrder(head, rel, this.k, (st as { groups: Uint8Array }).groups, groupShares(history, (st as { groups: Uint8Array }).groups), s.lambda);
      const next = Int32Array.from(list);
      next.set(ordered);
      list = next;
    });
    let top = -Infinity;
    for (let i = 0; i < out.length; i++) if (out[i]! > top) top = out[i]!;
    // above every score, in the new order (a float32 step of at least 1 keeps them distinct)
    const step = Math.max(1, Math.abs(top) * 1e-3);
    list.forEach((item, rank) => (out[item] = top + step * (list.length - rank)));
  }

  /** The fitted state as artifact arrays under `prefix` (the stage specs travel in the params). */
  save(prefix: string): Record<string, Float32Array | Int32Array | Uint8Array> {
    const arrays: Record<string, Float32Array | Int32Array | Uint8Array> = {};
    this.state.forEach((st, n) => {
      const p = `${prefix}${n}.`;
      if ('features' in st) Object.assign(arrays, { [`${p}indptr`]: st.features.indptr, [`${p}indices`]: st.features.indices, [`${p}data`]: st.features.data, [`${p}shape`]: Int32Array.of(st.features.nRows, st.features.nCols) });
      else if ('groups' in st) arrays[`${p}groups`] = st.groups;
      else arrays[`${p}blocked`] = st.blocked;
    });
    return arrays;
  }

  static load(stages: readonly RerankStageSpec[], k: number, nItems: number, arrays: Record<string, unknown>, prefix: string): Reranker {
    const state = stages.map((s, n): StageState => {
      const p = `${prefix}${n}.`;
      if (s.type === 'mmr') {
        const shape = arrays[`${p}shape`] as Int32Array;
        return { features: new Csr(shape[0]!, shape[1]!, arrays[`${p}indptr`] as Int32Array, arrays[`${p}indices`] as Int32Array, arrays[`${p}data`] as Float32Array) };
      }
      if (s.type === 'calibrate') return { groups: arrays[`${p}groups`] as Uint8Array };
      return { blocked: arrays[`${p}blocked`] as Uint8Array };
    });
    return new Reranker(stages, k, state, nItems);
  }
}
