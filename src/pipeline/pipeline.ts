import { z } from 'zod';
import { makeTrainData, type TrainData } from '../data/dataset.js';
import { userFolds } from '../data/splits.js';
import { Csr } from '../data/csr.js';
import { Rng } from '../math/rng.js';
import { topK, type TopK } from '../math/topk.js';
import { UnirecError } from '../errors.js';
import { itemFeatures } from '../features/item.js';
import { coordinateAscent } from './coordinate-ascent.js';
import { defaultRetrievers, defaultStacking, type RetrieverSpec } from './default-pipeline.js';
import { Gbdt as GbdtModel } from './gbdt.js';
import { logisticRegression } from './logistic-regression.js';
import { RerankStage, Reranker } from './rerank.js';
import { Als } from '../models/als.js';
import { csrArrays, csrFromArrays } from '../models/artifact-csr.js';
import { offerLatentSpace } from '../models/latent-item-space.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from '../models/recommender.js';
import { loadNested, nestArtifact, type ArtifactHead } from '../models/nested-artifact.js';
import { createModel, registerModel } from '../models/registry.js';

const Retriever = z.strictObject({
  model: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** weight in 'weighted' and 'rrf' fusion (the learned ranker finds its own) */
  weight: z.number().nonnegative().default(1),
});

/** What the learned ranker sees about a (user, candidate) pair besides each retriever's standardised score. */
const RANKER_INPUTS = ['rank', 'popularity', 'profile', 'activity'] as const;
type RankerInput = (typeof RANKER_INPUTS)[number];

const Gbdt = z.strictObject({
  trees: z.number().int().positive().default(100),
  /** small, well-filled trees: deeper (4) trees with 20-row leaves overfit the valid split (measured on ml-100k, ml-latest-small) */
  depth: z.number().int().min(1).max(8).default(3),
  learningRate: z.number().positive().default(0.05),
  bins: z.number().int().min(2).max(255).default(64),
  minLeaf: z.number().int().positive().default(100),
  l2: z.number().nonnegative().default(1),
  /** 'logistic': pointwise; 'pairwise': LambdaRank within each user's candidates */
  loss: z.enum(['logistic', 'pairwise']).default('logistic'),
});

const CoordinateAscent = z.strictObject({
  /** the ranker maximises NDCG at this cut-off on the valid split */
  k: z.number().int().positive().default(10),
  passes: z.number().int().positive().default(10),
  /** stop once a pass raises valid NDCG by less than this */
  tolerance: z.number().nonnegative().default(1e-4),
});

const Params = z
  .object({
    /**
     * Default (unset): chosen from the data at fit (pipeline/default-pipeline.ts): als, itemknn and
     * popularity; + ALS on the rating values when the events carry ratings; + EASE when the catalogue has
     * at most 5,000 items (its n x n inverse stays cheap). A fitted model saves the list it used.
     */
    retrievers: z.array(Retriever).min(1).optional().describe('from the data: als, itemknn, popularity; + als on rating values with ratings; + ease up to 5,000 items'),
    /**
     * 'weighted': sum of weight x standardised score; 'rrf': reciprocal-rank fusion (Cormack et al. 2009)
     * over each retriever's top `candidates`; 'learned': a ranker (see `ranker`) fitted on the valid split
     * that orders the retrievers' top candidates (falls back to 'weighted' when fit gets no valid split).
     */
    fusion: z.enum(['weighted', 'rrf', 'learned']).default('learned'),
    rrfK: z.number().positive().default(60),
    candidates: z.number().int().positive().default(200),
    /**
     * learned: logistic regression (pointwise, on sampled negatives), coordinate ascent on valid NDCG
     * (listwise, every candidate; pipeline/coordinate-ascent.ts), or gradient-boosted trees (pipeline/gbdt.ts)
     */
    ranker: z.enum(['logistic', 'coordinate-ascent', 'gbdt']).default('coordinate-ascent'),
    /**
     * learned: inputs besides the standardised scores: each retriever's rank ('rank', log2(2 + rank)),
     * the item's log train count ('popularity'), the cosine of the item's features with the user's
     * ('profile', needs item attributes; left out on data without them), the user's log event count
     * ('activity'). Default: the profile alone (measured against the scores alone, BENCHMARKS.md "Issue 21
     * item 5: the data-aware default": +2.6% on ml-latest-small, +13% on Amazon Beauty, +7% on Sports, -0.7%
     * on ml-100k; rank, popularity and activity lose or do not move).
     */
    rankerInputs: z.array(z.enum(RANKER_INPUTS)).default(['profile']),
    /**
     * learned: 0, the ranker learns from the valid split alone; K >= 2, also from out-of-fold data
     * (stacking, Wolpert 1992): train is split per user into K folds, and for each fold the retrievers
     * are fitted again without it and their candidates labelled by it. K more fits of every retriever,
     * for a ranker that sees about 1 + 8 times the queries valid alone gives it (80/10/10 split).
     * Default (unset): 4 up to 250,000 train (user, item) pairs, where the refits are cheap, else 0.
     */
    rankerFolds: z
      .number()
      .int()
      .min(0)
      .max(20)
      .refine((k) => k !== 1, 'rankerFolds is 0 (valid only) or at least 2')
      .optional()
      .describe('from the data: 4 up to 250,000 train pairs, else 0'),
    gbdt: Gbdt.default(Gbdt.parse({})),
    coordinateAscent: CoordinateAscent.default(CoordinateAscent.parse({})),
    /**
     * learned, linear rankers: users split by their train event count into this many equal groups, and
     * a ranker fitted for each (how far to trust a retriever changes with how much the user has done).
     * Default (unset): 2 when the default stacks (rankerFolds unset, up to 250,000 train pairs), else 1.
     */
    rankerSegments: z.number().int().min(1).max(10).optional().describe('from the data: 2 with the default rankerFolds up to 250,000 train pairs, else 1'),
    /** learned: users sampled from valid to fit the ranker, and negatives per positive (not coordinate ascent: it ranks all candidates) */
    rankerUsers: z.number().int().positive().default(2000),
    negatives: z.number().int().positive().default(8),
    /** learned (logistic): L2 penalty of the logistic regression */
    l2: z.number().nonnegative().default(1),
    /** re-ranking stages after fusion, in order (pipeline/rerank.ts): mmr, calibrate, filter */
    rerank: z.array(RerankStage).default([]),
    /** how many top positions the re-ordering stages choose */
    rerankK: z.number().int().positive().default(20),
  })
  .strict();
type PipelineParams = z.infer<typeof Params>;
/** The params with the data-aware defaults filled in (at fit, from the training data). */
type PipelineSettings = PipelineParams & { retrievers: RetrieverSpec[]; rankerFolds: number; rankerSegments: number };

/** `params` with every unset data-aware default chosen for `train` (pipeline/default-pipeline.ts). */
export function pipelineSettings(params: PipelineParams, train: Pick<TrainData, 'nItems' | 'hasRatings' | 'byUser'>): PipelineSettings {
  const stacking = defaultStacking(train);
  const rankerFolds = params.rankerFolds ?? stacking.rankerFolds;
  return {
    ...params,
    retrievers: params.retrievers ?? defaultRetrievers(train),
    rankerFolds,
    // segments come with the default stacking only: a ranker per half needs its out-of-fold queries
    rankerSegments: params.rankerSegments ?? (params.rankerFolds === undefined ? stacking.rankerSegments : 1),
  };
}

/**
 * The learned ranker: a linear model over the inputs (logistic or coordinate ascent), one weight
 * vector per activity segment (segment s: weights s d .. (s + 1) d; a user with log1p(events) < cuts[s]
 * is in the first such s), or boosted trees.
 */
type Ranker = { kind: 'linear'; weights: Float64Array; cuts: Float64Array } | { kind: 'gbdt'; trees: GbdtModel };

/**
 * Several retrievers fused into one ranking, then re-ranked: the "retrieve -> fuse -> re-rank" pipeline
 * as a model, so it is fitted, evaluated, saved and served like any other. Scores of different models
 * live on different scales, so each retriever's scores for a user are standardised (z-scores over the
 * catalogue) before a weighted sum. The learned ranker is fitted on held-out valid interactions against
 * the retrievers' other top candidates, over the z-scores plus ranks, item popularity, the item's match
 * with the user's feature profile and the user's activity, and then ranks only those candidates
 * (retrieve, then rank). Re-rank stages (diversity, popularity calibration, business filters) come last.
 */
export class Pipeline implements Recommender {
  readonly name = 'pipeline';
  private retrievers: Recommender[] = [];
  /** weighted / rrf: weight per retriever; learned: see `ranker` */
  private weights: Float64Array = new Float64Array(0);
  private nItems = 0;
  private scratch: Float32Array[] = [];
  /** true when a learned ranker orders the candidates */
  private learned = false;
  private ranker: Ranker | undefined;
  /** how many queries (users with held-out items among their candidates) the ranker was fitted on, by source */
  private rankerQueries = { valid: 0, outOfFold: 0 };
  private history!: Csr;
  /**
   * the valid items of each user, kept out of re-rank pools: they are seen items too (the evaluator
   * excludes them), so a pool holding them would lose places. Saved, so a copy loaded in an evaluation
   * worker ranks exactly as the fitted model does.
   */
  private validSeen: Csr | undefined;
  /** log(1 + train count) per item */
  private popularity: Float32Array = new Float32Array(0);
  /** items x features, L2 rows (for the 'profile' input), or undefined without item attributes */
  private itemFeat: Csr | undefined;
  private reranker: Reranker | undefined;
  private mask: Uint8Array = new Uint8Array(0);
  private inUnion: Uint8Array = new Uint8Array(0);
  /** per retriever, rank of each item among its top candidates (-1 = not among them) */
  private ranks: Int32Array[] = [];

  /** `params` with the data-aware defaults chosen (at fit, or read back from an artifact) */
  private settings!: PipelineSettings;

  constructor(readonly params: PipelineParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    this.settings = pipelineSettings(this.params, train);
    this.nItems = train.nItems;
    this.retrievers = await this.fitRetrievers(train, ctx);
    for (const model of this.retrievers) if (model instanceof Als) offerLatentSpace(train, ctx.seed, model);
    this.allocate();
    this.history = train.byUser;
    this.validSeen = ctx.valid?.length ? Csr.byUser(ctx.valid, train.nUsers, train.nItems) : undefined;
    this.popularity = logCounts(train);
    this.itemFeat = this.settings.rankerInputs.includes('profile') && train.itemTable ? itemFeatures(train.itemTable).matrix : undefined;
    this.weights = Float64Array.from(this.settings.retrievers, (r) => r.weight);
    this.learned = this.settings.fusion === 'learned' && ctx.valid !== undefined && ctx.valid.length > 0;
    this.ranker = this.learned ? await this.learnRanker(train, ctx) : undefined;
    this.reranker = this.settings.rerank.length ? await Reranker.fit(this.settings.rerank, train, this.settings.rerankK, ctx) : undefined;
  }

  private async fitRetrievers(train: TrainData, ctx: FitContext): Promise<Recommender[]> {
    const fitted: Recommender[] = [];
    for (const r of this.settings.retrievers) {
      ensureNotAborted(ctx.signal);
      const model = createModel(r.model, r.params);
      await model.fit(train, ctx);
      fitted.push(model);
    }
    return fitted;
  }

  private allocate(): void {
    this.scratch = this.retrievers.map(() => new Float32Array(this.nItems));
    this.ranks = this.retrievers.map(() => new Int32Array(this.nItems).fill(-1));
    this.mask = new Uint8Array(this.nItems);
    this.inUnion = new Uint8Array(this.nItems);
  }

  scoreUser(user: number, out: Float32Array): void {
    this.retrievers.forEach((r, k) => r.scoreUser(user, this.scratch[k]!));
    const history = user < this.history.nRows ? this.history.rowIndices(user) : new Int32Array(0);
    this.fuse(history, out);
    if (this.reranker) {
      const seen = [history];
      if (this.validSeen && user < this.validSeen.nRows) seen.push(this.validSeen.rowIndices(user));
      this.reranker.apply(out, seen, history);
    }
  }

  /** A user unseen at fit time: each retriever that can fold in does; the others abstain. */
  foldIn(history: History, out: Float32Array): void {
    this.retrievers.forEach((r, k) => {
      if (r.foldIn) r.foldIn(history, this.scratch[k]!);
      else this.scratch[k]!.fill(0);
    });
    const items = history.items.filter((i) => i >= 0 && i < this.nItems);
    this.fuse(items, out);
    this.reranker?.apply(out, [items], items);
  }

  similarItems(item: number, k: number): TopK {
    const r = this.retrievers.find((m) => m.similarItems);
    if (!r) return { indices: new Int32Array(0), scores: new Float32Array(0) };
    return r.similarItems!(item, k);
  }

  /**
   * Each retriever's share of the fused score, with that retriever's own first reason. For the learned
   * ranker a share is what the item's score loses when that retriever knows nothing of it (its z-score
   * at the catalogue mean, outside its top candidates).
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    this.retrievers.forEach((r, k) => r.scoreUser(user, this.scratch[k]!));
    const history = user < this.history.nRows ? this.history.rowIndices(user) : new Int32Array(0);
    const shares = this.shares(history, item);
    const reasons: Reason[] = this.retrievers.map((r, k) => {
      const weight = shares[k]!;
      const inner = r.explain?.(user, item, 1)[0];
      return { kind: 'model', weight, text: `${r.name} (${weight >= 0 ? '+' : ''}${weight.toFixed(3)})${inner ? `: ${inner.text}` : ''}` };
    });
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  /** The fused weight per retriever (a linear ranker: of its z-score): which models the ranker trusts. */
  fusedWeights(): { model: string; weight: number }[] {
    const w = this.ranker?.kind === 'linear' ? this.meanLinearWeights() : this.weights;
    return this.retrievers.map((r, k) => ({ model: r.name, weight: w[k]! }));
  }

  /** How many queries the learned ranker was fitted on: from the valid split, and out of fold (rankerFolds). */
  rankerData(): { validQueries: number; outOfFoldQueries: number } {
    return { validQueries: this.rankerQueries.valid, outOfFoldQueries: this.rankerQueries.outOfFold };
  }

  /** The ranker's input names, in order. */
  rankerInputNames(): string[] {
    const names = this.retrievers.map((r) => `${r.name} score`);
    const inputs = this.inputs();
    if (inputs.has('rank')) names.push(...this.retrievers.map((r) => `${r.name} rank`));
    for (const input of ['popularity', 'profile', 'activity'] as const) if (inputs.has(input)) names.push(input);
    return names;
  }

  /** The ranker's per-input weights (linear) or split counts (gbdt), by input name. */
  rankerSummary(): { input: string; value: number }[] {
    const values = this.ranker?.kind === 'linear' ? Array.from(this.meanLinearWeights()) : this.ranker ? Array.from(this.ranker.trees.featureUse()) : [];
    return this.rankerInputNames().map((input, f) => ({ input, value: values[f] ?? 0 }));
  }

  /** A linear ranker's weights, averaged over its activity segments. */
  private meanLinearWeights(): Float64Array {
    const { weights, cuts } = this.ranker as Extract<Ranker, { kind: 'linear' }>;
    const segments = cuts.length + 1;
    const d = weights.length / segments;
    return Float64Array.from({ length: d }, (_, f) => {
      let sum = 0;
      for (let g = 0; g < segments; g++) sum += weights[g * d + f]!;
      return sum / segments;
    });
  }

  private inputs(): Set<RankerInput> {
    const inputs = new Set(this.settings.rankerInputs);
    if (!this.itemFeat) inputs.delete('profile');
    return inputs;
  }

  /** Fuses this.scratch (one score row per retriever) into out, for a user whose train items are `history`. */
  private fuse(history: Int32Array, out: Float32Array): void {
    if (this.ranker) return this.rank(history, out);
    out.fill(0);
    if (this.settings.fusion === 'rrf') {
      this.retrievers.forEach((_, k) => {
        const best = topK(this.scratch[k]!, this.settings.candidates);
        best.indices.forEach((i, rank) => (out[i]! += this.weights[k]! / (this.settings.rrfK + rank + 1)));
      });
      return;
    }
    for (let k = 0; k < this.retrievers.length; k++) {
      const w = this.weights[k]!;
      if (w === 0) continue;
      const { mean, std } = moments(this.scratch[k]!);
      const s = this.scratch[k]!;
      for (let i = 0; i < out.length; i++) out[i]! += (w * (s[i]! - mean)) / std;
    }
  }

  /** The learned ranker's score for each candidate; everything else -Infinity (it orders, it does not retrieve). */
  private rank(history: Int32Array, out: Float32Array): void {
    const candidates = this.candidates(history);
    const rows = this.rankerRows(candidates, history);
    const d = this.rankerInputNames().length;
    const base = this.segmentOf(history.length) * d;
    out.fill(-Infinity);
    candidates.forEach((i, c) => (out[i] = this.predict(rows, c * d, base)));
    this.clearRanks();
  }

  /** The ranker's score of the input row at rows[o..], for a user whose linear weights start at `base`. */
  private predict(rows: Float32Array, o: number, base: number): number {
    const ranker = this.ranker!;
    if (ranker.kind === 'gbdt') return ranker.trees.predict(rows, o);
    const d = ranker.weights.length / (ranker.cuts.length + 1);
    let s = 0;
    for (let f = 0; f < d; f++) s += ranker.weights[base + f]! * rows[o + f]!;
    return s;
  }

  /** The activity segment of a user with `events` train events (0 without segments or for gbdt). */
  private segmentOf(events: number): number {
    return this.ranker?.kind === 'linear' ? activitySegment(this.ranker.cuts, events) : 0;
  }

  /**
   * Union of every retriever's top `candidates` items the user has not seen (in `history`, or in
   * `alsoSeen`), for the scores in this.scratch; fills this.ranks (cleared by clearRanks).
   */
  private candidates(history: Int32Array, alsoSeen?: Int32Array): Int32Array {
    for (const i of history) this.mask[i] = 1;
    if (alsoSeen) for (const i of alsoSeen) this.mask[i] = 1;
    const union: number[] = [];
    for (let k = 0; k < this.retrievers.length; k++) {
      const best = topK(this.scratch[k]!, this.settings.candidates, this.mask);
      const rank = this.ranks[k]!;
      best.indices.forEach((i, r) => {
        rank[i] = r;
        if (!this.inUnion[i]) {
          this.inUnion[i] = 1;
          union.push(i);
        }
      });
    }
    for (const i of union) this.inUnion[i] = 0;
    for (const i of history) this.mask[i] = 0;
    if (alsoSeen) for (const i of alsoSeen) this.mask[i] = 0;
    return Int32Array.from(union).sort();
  }

  private clearRanks(): void {
    for (const rank of this.ranks) rank.fill(-1);
  }

  /** Ranker inputs (rankerInputNames order) of each candidate, row-major. Needs this.ranks filled. */
  private rankerRows(candidates: Int32Array, history: Int32Array): Float32Array {
    const R = this.retrievers.length;
    const inputs = this.inputs();
    const d = this.rankerInputNames().length;
    const rows = new Float32Array(candidates.length * d);
    const stats = this.scratch.map(moments);
    const cap = Math.log2(2 + this.settings.candidates);
    const profile = inputs.has('profile') ? this.profileOf(history) : undefined;
    const activity = Math.log1p(history.length);
    candidates.forEach((i, c) => {
      let at = c * d;
      for (let k = 0; k < R; k++) rows[at++] = (this.scratch[k]![i]! - stats[k]!.mean) / stats[k]!.std;
      if (inputs.has('rank')) for (let k = 0; k < R; k++) rows[at++] = this.ranks[k]![i]! >= 0 ? Math.log2(2 + this.ranks[k]![i]!) : cap;
      if (inputs.has('popularity')) rows[at++] = this.popularity[i]!;
      if (profile) rows[at++] = profile.norm > 0 ? sparseRowDot(this.itemFeat!, i, profile.vector) / profile.norm : 0;
      if (inputs.has('activity')) rows[at++] = activity;
    });
    return rows;
  }

  /** The sum of the feature rows of the user's items, and its norm. */
  private profileOf(history: Int32Array): { vector: Float64Array; norm: number } {
    const m = this.itemFeat!;
    const vector = new Float64Array(m.nCols);
    for (const j of history) for (let k = m.indptr[j]!; k < m.indptr[j + 1]!; k++) vector[m.indices[k]!]! += m.data[k]!;
    let ss = 0;
    for (let f = 0; f < vector.length; f++) ss += vector[f]! * vector[f]!;
    return { vector, norm: Math.sqrt(ss) };
  }

  /** Per retriever, its share of the fused score of `item` (needs this.scratch filled). */
  private shares(history: Int32Array, item: number): number[] {
    if (this.settings.fusion === 'rrf' && !this.ranker) {
      return this.retrievers.map((_, k) => {
        const rank = topK(this.scratch[k]!, this.settings.candidates).indices.indexOf(item);
        return rank < 0 ? 0 : this.weights[k]! / (this.settings.rrfK + rank + 1);
      });
    }
    if (!this.ranker) {
      return this.retrievers.map((_, k) => {
        const { mean, std } = moments(this.scratch[k]!);
        return (this.weights[k]! * (this.scratch[k]![item]! - mean)) / std;
      });
    }
    this.candidates(history);
    const row = this.rankerRows(Int32Array.of(item), history);
    this.clearRanks();
    const base = this.segmentOf(history.length) * this.rankerInputNames().length;
    const full = this.predict(row, 0, base);
    const R = this.retrievers.length;
    const hasRank = this.inputs().has('rank');
    return this.retrievers.map((_, k) => {
      const ablated = row.slice();
      ablated[k] = 0;
      if (hasRank) ablated[R + k] = Math.log2(2 + this.settings.candidates);
      return full - this.predict(ablated, 0, base);
    });
  }

  /**
   * The ranker, fitted to order the retrievers' candidates, so both sides come from them: positives
   * are a user's held-out items among the candidates (the valid split's, and with rankerFolds each
   * train fold's, scored by retrievers fitted without it). Logistic and gbdt see `negatives` per
   * positive drawn from the user's other unseen candidates; logistic is L2-penalised logistic regression
   * by Newton's method, gbdt boosted trees (pairwise loss: one query per user). Coordinate ascent sees
   * every candidate, one query per user, and maximises the users' NDCG on valid directly. The linear
   * rankers fit on standardised inputs, the scaling folded into their weights, one per activity segment
   * on the queries of that segment's users (rankerSegments).
   */
  private async learnRanker(train: TrainData, ctx: FitContext): Promise<Ranker | undefined> {
    const rng = new Rng(ctx.seed ^ 0x5eed);
    const validByUser = Csr.byUser(ctx.valid!, train.nUsers, train.nItems);
    const queries: RankerQueries = { rows: [], labels: [], groups: [0], relevant: [], events: [] };
    this.addQueries(train.byUser, validByUser, undefined, rng, ctx, queries);
    const fromValid = queries.relevant.length;
    if (this.settings.rankerFolds >= 2) await this.addOutOfFoldQueries(train, validByUser, rng, ctx, queries);
    this.rankerQueries = { valid: fromValid, outOfFold: queries.relevant.length - fromValid };
    if (!queries.labels.length) return undefined;
    const d = this.rankerInputNames().length;
    if (this.settings.ranker === 'gbdt') {
      const { x, labels, groups } = stackQueries(queries, queries.relevant.map((_, q) => q), d);
      return { kind: 'gbdt', trees: GbdtModel.fit(x, Float32Array.from(labels), d, this.settings.gbdt, Int32Array.from(groups)) };
    }
    const cuts = activityCuts(train.byUser, this.settings.rankerSegments);
    const weights = new Float64Array((cuts.length + 1) * d);
    for (let g = 0; g <= cuts.length; g++) {
      const members = queries.events.flatMap((events, q) => (activitySegment(cuts, events) === g ? [q] : []));
      // a segment without queries (tiny data) takes the ranker of all of them
      const fitOn = members.length ? members : queries.events.map((_, q) => q);
      weights.set(this.fitLinear(stackQueries(queries, fitOn, d), d, rng), g * d);
    }
    return { kind: 'linear', weights, cuts };
  }

  /** A linear ranker's weights on the raw inputs, fitted on standardised ones. */
  private fitLinear(data: { x: Float32Array; labels: number[]; groups: number[]; relevant: number[] }, d: number, rng: Rng): Float64Array {
    const { z, std } = standardise(data.x, d);
    const labels = Uint8Array.from(data.labels);
    const groups = Int32Array.from(data.groups);
    const weights =
      this.settings.ranker === 'coordinate-ascent'
        ? coordinateAscent(z, labels, groups, Int32Array.from(data.relevant), d, this.settings.coordinateAscent, rng)
        : logisticRegression(z, Float64Array.from(data.labels), d, this.settings.l2);
    return Float64Array.from({ length: d }, (_, f) => weights[f]! / std[f]!);
  }

  /**
   * Ranker queries for up to `rankerUsers` users with held-out `labels` (sampled with rng): the current
   * retrievers' candidates for a user whose known items are `history` (plus `alsoSeen`, kept out of the
   * candidates but not shown to the ranker's inputs), labelled 1 when held out.
   */
  private addQueries(history: Csr, labels: Csr, alsoSeen: Csr | undefined, rng: Rng, ctx: FitContext, queries: RankerQueries): void {
    const users: number[] = [];
    for (let u = 0; u < labels.nRows; u++) if (labels.rowLength(u) > 0) users.push(u);
    rng.shuffle(users);
    const listwise = this.settings.ranker === 'coordinate-ascent';
    const isLabel = new Uint8Array(this.nItems);
    for (const u of users.slice(0, this.settings.rankerUsers)) {
      ensureNotAborted(ctx.signal);
      const seen = history.rowIndices(u);
      const held = labels.rowIndices(u);
      this.retrievers.forEach((r, k) => r.scoreUser(u, this.scratch[k]!));
      const candidates = this.candidates(seen, alsoSeen?.rowIndices(u));
      for (const i of held) isLabel[i] = 1;
      const positives = Array.from(candidates).filter((i) => isLabel[i]);
      const sampled: number[] = [];
      if (!listwise) {
        for (const i of positives) {
          sampled.push(i);
          for (let n = 0; n < this.settings.negatives; n++) {
            const j = candidates[rng.int(candidates.length)]!;
            if (!isLabel[j]) sampled.push(j);
          }
        }
      }
      const chosen = listwise ? candidates : Int32Array.from(sampled);
      if (positives.length) {
        queries.rows.push(this.rankerRows(chosen, seen));
        for (const i of chosen) queries.labels.push(isLabel[i]!);
        queries.groups.push(queries.labels.length);
        queries.relevant.push(held.length);
        queries.events.push(this.history.rowLength(u));
      }
      this.clearRanks();
      for (const i of held) isLabel[i] = 0;
    }
  }

  /**
   * Stacking: train split per user into rankerFolds folds; for each, the retrievers fitted on the rest
   * give candidates labelled by the fold (valid items kept out: they are neither history nor labels
   * there). The fitted retrievers and popularity are put back afterwards.
   */
  private async addOutOfFoldQueries(train: TrainData, validByUser: Csr, rng: Rng, ctx: FitContext, queries: RankerQueries): Promise<void> {
    const k = this.settings.rankerFolds;
    const fold = userFolds(train.interactions, train.nUsers, k, ctx.seed ^ 0xf01d);
    const fitted = { retrievers: this.retrievers, popularity: this.popularity };
    const task = ctx.progress?.start(`pipeline: out-of-fold ranker data, ${k} folds`, k);
    try {
      for (let f = 0; f < k; f++) {
        const rest: number[] = [];
        const held: number[] = [];
        for (let r = 0; r < fold.length; r++) (fold[r] === f ? held : rest).push(r);
        const foldTrain = makeTrainData(train.interactions.select(rest), train.nUsers, train.nItems, {
          hasRatings: train.hasRatings,
          itemTable: train.itemTable,
          userTable: train.userTable,
        });
        this.retrievers = await this.fitRetrievers(foldTrain, ctx);
        this.popularity = logCounts(foldTrain);
        this.addQueries(foldTrain.byUser, Csr.byUser(train.interactions.select(held), train.nUsers, train.nItems), validByUser, rng, ctx, queries);
        task?.tick();
      }
    } finally {
      this.retrievers = fitted.retrievers;
      this.popularity = fitted.popularity;
      task?.done();
    }
  }

  save(): ModelArtifact {
    const arrays: ModelArtifact['arrays'] = { weights: this.weights, popularity: this.popularity, ...csrArrays('hist', this.history) };
    if (this.itemFeat) Object.assign(arrays, csrArrays('feat', this.itemFeat));
    if (this.validSeen) Object.assign(arrays, csrArrays('valid', this.validSeen));
    if (this.ranker?.kind === 'linear') {
      arrays['ranker.weights'] = this.ranker.weights;
      arrays['ranker.cuts'] = this.ranker.cuts;
    }
    if (this.ranker?.kind === 'gbdt') for (const [name, arr] of Object.entries(this.ranker.trees.toArrays())) arrays[`ranker.${name}`] = arr;
    if (this.reranker) Object.assign(arrays, this.reranker.save('rerank'));
    const parts = this.retrievers.map((r, k) => nestArtifact(r, `r${k}.`, arrays));
    const meta = {
      nItems: this.nItems,
      nUsers: this.history.nRows,
      nFeatures: this.itemFeat?.nCols ?? -1,
      parts,
      learned: this.learned,
      ranker: this.ranker?.kind ?? null,
      rankerQueries: this.rankerQueries,
    };
    // the settings the fit used, data-aware defaults filled in: a loaded copy needs no training data
    return { model: this.name, version: 2, params: { ...this.settings }, meta, arrays };
  }

  static load(a: ModelArtifact): Pipeline {
    if (a.version !== 2) throw new UnirecError(`pipeline artifact version ${a.version} is not supported (expected 2); retrain the model`);
    const params = Params.parse(a.params);
    if (!params.retrievers) throw new UnirecError('pipeline artifact has no retrievers in its params; retrain the model');
    const m = new Pipeline(params);
    // artifacts saved before rankerSegments (and every one since) have folds and segments filled in
    m.settings = { ...params, retrievers: params.retrievers, rankerFolds: params.rankerFolds ?? 0, rankerSegments: params.rankerSegments ?? 1 };
    m.nItems = a.meta.nItems as number;
    m.learned = a.meta.learned === true;
    m.rankerQueries = (a.meta.rankerQueries as typeof m.rankerQueries | undefined) ?? { valid: 0, outOfFold: 0 };
    m.retrievers = (a.meta.parts as ArtifactHead[]).map((part, k) => loadNested(a, part, `r${k}.`));
    m.weights = Float64Array.from(a.arrays.weights as Float64Array);
    m.popularity = a.arrays.popularity as Float32Array;
    m.history = csrFromArrays(a, 'hist', a.meta.nUsers as number, m.nItems);
    const nFeatures = a.meta.nFeatures as number;
    m.itemFeat = nFeatures >= 0 ? csrFromArrays(a, 'feat', m.nItems, nFeatures) : undefined;
    m.validSeen = a.arrays.validIndptr ? csrFromArrays(a, 'valid', a.meta.nUsers as number, m.nItems) : undefined;
    // 'logistic': artifacts saved before the coordinate-ascent ranker shared the linear kind
    if (a.meta.ranker === 'linear' || a.meta.ranker === 'logistic') {
      // artifacts saved before activity segments have no cuts: one segment
      const cuts = (a.arrays['ranker.cuts'] as Float64Array | undefined) ?? new Float64Array(0);
      m.ranker = { kind: 'linear', weights: a.arrays['ranker.weights'] as Float64Array, cuts };
    }
    if (a.meta.ranker === 'gbdt') {
      const get = (name: string) => a.arrays[`ranker.${name}`];
      m.ranker = { kind: 'gbdt', trees: GbdtModel.fromArrays({ feature: get('feature') as Int32Array, threshold: get('threshold') as Float32Array, leaf: get('leaf') as Float32Array, shape: get('shape') as Float64Array }) };
    }
    if (m.settings.rerank.length) m.reranker = Reranker.load(m.settings.rerank, m.settings.rerankK, m.nItems, a.arrays, 'rerank');
    m.allocate();
    return m;
  }
}

/** Ranker training data: per query (a user), its candidates' input rows, 0/1 labels, and how many items it holds out. */
interface RankerQueries {
  rows: Float32Array[];
  labels: number[];
  /** rows of query q: groups[q] .. groups[q + 1] (into labels) */
  groups: number[];
  relevant: number[];
  /** the query user's train event count (full train, also for out-of-fold queries): picks its segment */
  events: number[];
}

/** Queries `members` of `queries` as one n x d input matrix with their labels, groups and relevant counts. */
function stackQueries(queries: RankerQueries, members: number[], d: number) {
  const labels: number[] = [];
  const groups = [0];
  const relevant: number[] = [];
  for (const q of members) {
    for (let t = queries.groups[q]!; t < queries.groups[q + 1]!; t++) labels.push(queries.labels[t]!);
    groups.push(labels.length);
    relevant.push(queries.relevant[q]!);
  }
  const x = new Float32Array(labels.length * d);
  let at = 0;
  for (const q of members) {
    x.set(queries.rows[q]!, at);
    at += queries.rows[q]!.length;
  }
  return { x, labels, groups, relevant };
}

/**
 * log1p(train events) cut points splitting the users with any events into `segments` groups of about equal
 * size (segments - 1 cuts, increasing; fewer when counts tie).
 */
function activityCuts(byUser: Csr, segments: number): Float64Array {
  const activity: number[] = [];
  for (let u = 0; u < byUser.nRows; u++) if (byUser.rowLength(u) > 0) activity.push(Math.log1p(byUser.rowLength(u)));
  activity.sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let g = 1; g < segments && activity.length; g++) {
    const cut = activity[Math.floor((g * activity.length) / segments)]!;
    if (cut > (cuts.at(-1) ?? -Infinity)) cuts.push(cut);
  }
  return Float64Array.from(cuts);
}

/** The segment (0 .. cuts.length) of a user with `events` train events. */
function activitySegment(cuts: Float64Array, events: number): number {
  const a = Math.log1p(events);
  let g = 0;
  while (g < cuts.length && a >= cuts[g]!) g++;
  return g;
}

/** log(1 + train count) per item. */
function logCounts(train: TrainData): Float32Array {
  return Float32Array.from({ length: train.nItems }, (_, i) => Math.log1p(train.byItem.rowLength(i)));
}

/**
 * Inputs (n x d, row-major) centred and scaled to unit variance per column, for a well-conditioned fit;
 * a weight w fitted on them is w / std on the raw inputs (the centring only shifts every score alike).
 */
function standardise(x: Float32Array, d: number): { z: Float64Array; std: Float64Array } {
  const n = x.length / d;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let t = 0; t < n; t++) for (let f = 0; f < d; f++) mean[f]! += x[t * d + f]! / n;
  for (let t = 0; t < n; t++) for (let f = 0; f < d; f++) std[f]! += (x[t * d + f]! - mean[f]!) ** 2 / n;
  for (let f = 0; f < d; f++) std[f] = std[f]! > 1e-12 ? Math.sqrt(std[f]!) : 1;
  const z = new Float64Array(x.length);
  for (let t = 0; t < n; t++) for (let f = 0; f < d; f++) z[t * d + f] = (x[t * d + f]! - mean[f]!) / std[f]!;
  return { z, std };
}

/** Dot product of a sparse row with a dense vector. */
function sparseRowDot(m: Csr, r: number, v: Float64Array): number {
  let s = 0;
  for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) s += m.data[k]! * v[m.indices[k]!]!;
  return s;
}

/** Mean and standard deviation of a score row (std 1 when the row is constant). */
function moments(s: Float32Array): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    sum += s[i]!;
    sq += s[i]! * s[i]!;
  }
  const mean = sum / s.length;
  const variance = sq / s.length - mean * mean;
  return { mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
}

registerModel({
  name: 'pipeline',
  description: 'several retrievers fused: weighted z-scores, reciprocal-rank fusion, or a ranker learned on the valid split',
  params: Params,
  create: (p) => new Pipeline(p),
  load: (a) => Pipeline.load(a),
});
