import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { assembleFeatures } from '../features/block.js';
import { itemFeatures } from '../features/item.js';
import { NewItemEncoder, type RawAttributes } from '../features/new-item.js';
import { attributeBlock, discreteUserAttributes, encodeAttribute, type DiscreteAttribute } from '../features/user.js';
import { cosineNeighboursOfRow, rowNorms, scoreRows } from '../math/factors.js';
import { native, type NativeCore } from '../math/native.js';
import { Rng } from '../math/rng.js';
import type { TopK } from '../math/topk.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { sortedHas } from '../math/sorted.js';
import { registerModel } from './registry.js';
import { EpochLog, type TrainingLog } from '../training-log.js';
import { validNdcg, validSet } from './valid-ndcg.js';
import { derivedRetrieval, derivedRetrievalArrays, loadDerivedRetrieval, type ItemRetrieval } from './factor-retrieval.js';
import { retrievalParamShape } from '../retrieval/options.js';
import { StepSchedule } from './step-schedule.js';

const Params = z
  .object({
    factors: z.number().int().positive().default(32),
    /** 'warp': sample negatives until one violates the margin, step weighted by the implied rank; 'bpr': one negative, ln sigmoid */
    loss: z.enum(['warp', 'bpr']).default('warp'),
    /** WARP: negatives tried per positive before giving up (LightFM's max_sampled) */
    maxSampled: z.number().int().positive().default(10),
    /** 'adagrad': per-parameter step sizes (LightFM's default); 'adadelta': LightFM's other schedule (no learning rate); 'sgd': one step size */
    optimizer: z.enum(['adagrad', 'adadelta', 'sgd']).default('adagrad'),
    learningRate: z.number().positive().default(0.05),
    /** adadelta: decay of the running averages, and the epsilon under the square roots (LightFM's rho and epsilon) */
    rho: z.number().positive().max(1).default(0.95),
    epsilon: z.number().positive().default(1e-6),
    /** L2 penalty on the embeddings touched by a step */
    regularization: z.number().nonnegative().default(0),
    /**
     * passes over the train events (at most, when a valid split stops training early). Measured (ml-100k
     * ratio): ids only peak near epoch 16, ids + features near 45; without a valid split 50 epochs
     * overfit ids-only data (NDCG@10 0.270 vs 0.292 at 16)
     */
    epochs: z.number().int().positive().default(50),
    /**
     * with a valid split (evaluate, tune's final fit): NDCG@10 on it after every epoch, stop after this many
     * epochs without a new best and keep the best epoch's embeddings (0 = no validation: every epoch runs
     * and the last is kept). 5: at 3, ml-100k with genres stopped at epoch 14 on a dip of 0.0001 (test
     * NDCG@10 0.2873 against 0.3031)
     */
    patience: z.number().int().nonnegative().default(5),
    /** weight of an item's / user's own id embedding in its representation (0 = features only, a pure feature model) */
    itemIdWeight: z.number().nonnegative().default(1),
    userIdWeight: z.number().nonnegative().default(1),
    /**
     * items without train events share one learnt column, weighted as an id, where a trained item has its
     * own id: what the model learns of an item nobody has touched yet (it is only ever sampled as a
     * negative), diluted by the item's features when the row is normalised, so an item described by more
     * features leans more on them. Items put after training get it too (when the fit had such items to
     * train it on; else they score from their features alone). With it, ml-latest-small
     * cold-items NDCG@10 0.2158 -> 0.2738 (LightFM 0.2380, whose cold items have an id column trained
     * the same way); off = such items score from their features alone (no effect with itemIdWeight 0)
     */
    unseenItemColumn: z.boolean().default(true),
    /** use the item attribute table (genres, tags, title words...) when the data has one */
    itemFeatures: z.boolean().default(true),
    /** weight of each item attribute column (0 = leave it out); default as src/features/item.ts */
    itemFeatureWeights: z.record(z.string(), z.number().nonnegative()).default({}),
    /** use the user attribute table (age, gender, occupation...) when the data has one */
    userFeatures: z.boolean().default(true),
    /**
     * scale each item's and user's column weights (id + features) to sum to 1, as LightFM's Dataset does:
     * an item with many tags is not a longer vector than one with none
     */
    normalize: z.boolean().default(true),
    /** embeddings start uniform in +-initScale / 2 / factors (LightFM's initialisation at 1) */
    initScale: z.number().positive().default(1),
    /** when given, embeddings start normal with this standard deviation instead (the initialisation before issue 21) */
    initStd: z.number().positive().optional(),
    /**
     * passes over a new user's history when folding them in (item side frozen). 100: with rows normalised
     * the item vectors are shorter and 20 passes under-train (ml-100k cold-users, 1 event: NDCG@10 0.506 at 20, 0.539 at 100)
     */
    foldInEpochs: z.number().int().positive().default(100),
    ...retrievalParamShape,
  })
  .strict();
type HybridParams = z.infer<typeof Params>;

/** A user attribute as saved (the per-row codes are not needed to encode a new user). */
type SavedAttribute = Omit<DiscreteAttribute, 'codes'>;

/**
 * Hybrid matrix factorisation (Kula 2015, "LightFM"): a user is the sum of the embeddings of their id and
 * of their attributes (age group, gender, occupation); an item is the sum of the embeddings of its id and
 * of its features (genres, tags, categories, numeric buckets, title words from src/features). Scores are
 * dot products plus an item bias (again a sum over the item's features), learnt by WARP or BPR.
 *
 * Representations are rows of a sparse "columns" matrix times an embedding table: item i = sum_c x_ic V_c
 * over its id column (only if it had train events) and its feature columns. So an item nobody has touched
 * gets a vector from its features alone, a user without events from their attributes alone, and features
 * shared by many items carry what those items taught them.
 *
 * FLOPs per step: (columns of the user + columns of the item + columns of each sampled negative) x 2 f for
 * the representations, then the same again for the update. Single-threaded and seeded (same bits every run).
 */
export class HybridMf implements Recommender {
  readonly name = 'hybrid-mf';
  private nUsers = 0;
  private nItems = 0;
  /** items x (nItems id columns + item features) */
  private itemCols!: Csr;
  /** column of the items without train events (unseenItemColumn), -1 = none; after the id and feature columns */
  private unseenColumn = -1;
  /** users x (nUsers id columns + user features) */
  private userCols!: Csr;
  private itemNames: string[] = [];
  private userNames: string[] = [];
  private attrs: SavedAttribute[] = [];
  /** where each attribute's one-hot columns start among the user feature columns */
  private attrOffsets: number[] = [];
  /** embedding per item column / user column, rows of `factors` */
  private itemEmb: Float32Array = new Float32Array(0);
  private userEmb: Float32Array = new Float32Array(0);
  private itemBiasEmb: Float32Array = new Float32Array(0);
  /** derived after fit (and load): item vectors, item biases, user vectors */
  private Q: Float32Array = new Float32Array(0);
  private bq: Float32Array = new Float32Array(0);
  private P: Float32Array = new Float32Array(0);
  private history!: Csr;
  private itemNorms: Float32Array | undefined;
  /** optimiser state, during fit only */
  private opt: StepSchedule | undefined;
  private lastFit: TrainingLog | undefined;
  /** the item vectors Q (+ biases bq) as retrieval scores them: built at the end of fit (undefined while training) */
  private retrieval: ItemRetrieval | undefined;
  /** encodes the attributes of items put after training (built on first use) */
  private newItems: NewItemEncoder | undefined;

  constructor(readonly params: HybridParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const f = p.factors;
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    this.history = train.byUser;
    this.itemNorms = undefined;
    this.lastFit = undefined;
    this.retrieval = undefined;
    this.newItems = undefined;
    this.buildItemColumns(train);
    this.buildUserColumns(train);
    const rng = new Rng(ctx.seed);
    const nic = this.itemCols.nCols;
    const nuc = this.userCols.nCols;
    const scale = p.initScale / f;
    const draw = p.initStd === undefined ? () => (rng.next() - 0.5) * scale : () => rng.normal() * p.initStd!;
    this.itemEmb = Float32Array.from({ length: nic * f }, draw);
    this.userEmb = Float32Array.from({ length: nuc * f }, draw);
    this.itemBiasEmb = new Float32Array(nic);
    const { indptr, indices } = train.byUser;
    const nnz = indices.length;
    if (nnz > 0 && train.nItems >= 2) await this.train(ctx, rng, indptr, indices);
    this.derive();
    this.retrieval = derivedRetrieval(p, this.Q, this.nItems, f, this.bq);
  }

  /**
   * Items and users without train events have no id column, never an untrained id embedding: such an
   * item scores from its features and the shared unseen-item column (trained on every such item drawn
   * as a negative).
   */
  private buildItemColumns(train: TrainData): void {
    const nItems = train.nItems;
    let feats: Csr | undefined;
    this.itemNames = [];
    if (this.params.itemFeatures && train.itemTable && train.itemTable.columns.size > 0) {
      if (train.itemTable.size !== nItems) throw new RangeError(`item table has ${train.itemTable.size} rows, train has ${nItems} items`);
      const w = this.params.itemFeatureWeights;
      const fm = itemFeatures(train.itemTable, Object.keys(w).length ? { weights: w } : {});
      feats = fm.matrix;
      this.itemNames = fm.names;
    }
    const idWeight = this.params.itemIdWeight;
    if (idWeight === 0 && !feats) throw new UnirecError('model "hybrid-mf": itemIdWeight 0 needs item attributes, and this data has none (or itemFeatures is false)');
    const warm = (i: number): boolean => idWeight > 0 && train.byItem.rowLength(i) > 0;
    // only when some item has no train events: with none, nothing would ever train the column, and items put
    // after training would carry its initial draw (they then score from their features alone)
    let anyUnseen = false;
    for (let i = 0; i < nItems && !anyUnseen; i++) anyUnseen = train.byItem.rowLength(i) === 0;
    const unseen = this.params.unseenItemColumn && idWeight > 0 && anyUnseen;
    this.itemCols = stackColumns(nItems, nItems, warm, idWeight, feats, this.params.normalize, unseen);
    this.unseenColumn = unseen ? this.itemCols.nCols - 1 : -1;
  }

  /** User columns: id (users with train events) then one-hot attributes from the user table. */
  private buildUserColumns(train: TrainData): void {
    const nUsers = train.nUsers;
    let feats: Csr | undefined;
    this.attrs = [];
    this.attrOffsets = [];
    this.userNames = [];
    if (this.params.userFeatures && train.userTable && train.userTable.size === nUsers) {
      const attrs = discreteUserAttributes(train.userTable);
      if (attrs.length) {
        const fm = assembleFeatures(nUsers, attrs.map(attributeBlock), () => 1, 'row');
        feats = fm.matrix;
        this.userNames = fm.names;
        this.attrs = attrs.map(({ codes: _codes, ...rest }) => rest);
        this.attrOffsets = fm.blocks.map((b) => b.start);
      }
    }
    const idWeight = this.params.userIdWeight;
    const warm = (u: number): boolean => idWeight > 0 && train.byUser.rowLength(u) > 0;
    this.userCols = stackColumns(nUsers, nUsers, warm, idWeight, feats, this.params.normalize, false);
  }

  /**
   * Epochs over the train events in a seeded shuffled order. WARP (Weston et al. 2011, as LightFM samples
   * it): draw items until one that the user does not have scores within the margin of the positive
   * (s_uj > s_ui - 1), at most maxSampled draws (a drawn positive counts as a draw); the step is weighted
   * by ln(floor((nItems - 1) / draws)), the log of the rank the draws imply, capped at 10. BPR: one
   * negative, weight sigmoid(s_uj - s_ui).
   */
  private async train(ctx: FitContext, rng: Rng, indptr: Int32Array, indices: Int32Array): Promise<void> {
    const p = this.params;
    const f = p.factors;
    const nItems = this.nItems;
    const nnz = indices.length;
    const userOf = new Int32Array(nnz);
    for (let u = 0; u < this.nUsers; u++) userOf.fill(u, indptr[u]!, indptr[u + 1]!);
    this.opt = new StepSchedule(p, this.itemEmb.length, this.userEmb.length, this.itemBiasEmb.length);
    const nat = native();
    const order = Int32Array.from({ length: nnz }, (_, e) => e);
    const warpWeight = new Float64Array(p.maxSampled + 1);
    for (let t = 1; t <= p.maxSampled; t++) warpWeight[t] = Math.min(MAX_WARP_WEIGHT, Math.log(Math.max(1, Math.floor((nItems - 1) / t))));
    const log = new EpochLog(this.name, p.epochs, ctx.progress);
    const valid = p.patience > 0 && ctx.valid?.length ? validSet(ctx.valid, this.nUsers, nItems, ctx.seed) : undefined;
    let best: { epoch: number; arrays: Float32Array[] } | undefined;
    const task = ctx.progress?.start('hybrid-mf: epochs', p.epochs);
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        ensureNotAborted(ctx.signal);
        const t0 = performance.now();
        rng.shuffle(order);
        const lossSum = nat ? this.nativeEpoch(nat, rng, order, userOf, indptr, indices, warpWeight) : this.jsEpoch(rng, order, userOf, indptr, indices, warpWeight);
        let score: number | undefined;
        if (valid) {
          this.derive();
          score = validNdcg((u, out) => this.scoreUser(u, out), valid, this.history, nItems);
        }
        task?.tick();
        if (log.record({ epoch, loss: lossSum / nnz, valid: score, seconds: (performance.now() - t0) / 1000 })) {
          best = { epoch, arrays: [this.itemEmb.slice(), this.userEmb.slice(), this.itemBiasEmb.slice()] };
        } else if (best && epoch - best.epoch >= p.patience) {
          break;
        }
        if (ctx.signal) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      task?.done();
      this.opt = undefined;
    }
    if (best && best.epoch !== log.epochs.length - 1) [this.itemEmb, this.userEmb, this.itemBiasEmb] = best.arrays;
    this.lastFit = log.log(best?.epoch);
  }

  /**
   * One epoch over the events in `order` (shuffled by the caller), the reference the native kernel
   * (native/sgd.inc hybridEpoch) reproduces bit for bit. Returns the summed loss.
   */
  private jsEpoch(rng: Rng, order: Int32Array, userOf: Int32Array, indptr: Int32Array, indices: Int32Array, warpWeight: Float64Array): number {
    const p = this.params;
    const f = p.factors;
    const nItems = this.nItems;
    const nnz = indices.length;
    const pu = new Float64Array(f);
    const qi = new Float64Array(f);
    const qj = new Float64Array(f);
    let lossSum = 0;
    for (let s = 0; s < nnz; s++) {
      const e = order[s]!;
      const u = userOf[e]!;
      const lo = indptr[u]!;
      const hi = indptr[u + 1]!;
      if (hi - lo >= nItems) continue;
      const i = indices[e]!;
      this.represent(this.userCols, this.userEmb, u, pu);
      const si = this.represent(this.itemCols, this.itemEmb, i, qi, pu);
      // find the negative j and the step's weight
      let j = -1;
      let weight = 0;
      if (p.loss === 'warp') {
        for (let t = 1; t <= p.maxSampled; t++) {
          const c = rng.int(nItems);
          if (sortedHas(indices, lo, hi, c)) continue;
          const sj = this.represent(this.itemCols, this.itemEmb, c, qj, pu);
          if (sj > si - 1) {
            j = c;
            weight = warpWeight[t]!;
            break;
          }
        }
        lossSum += weight;
      } else {
        for (let t = 0; t < 20 && j < 0; t++) {
          const c = rng.int(nItems);
          if (!sortedHas(indices, lo, hi, c)) j = c;
        }
        if (j >= 0) {
          const x = si - this.represent(this.itemCols, this.itemEmb, j, qj, pu);
          weight = 1 / (1 + Math.exp(x));
          lossSum += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
        }
      }
      if (j < 0 || weight === 0) continue;
      // gradient of weight * (s_uj - s_ui) (descend): user along (qj - qi), item i along pu, item j along -pu
      this.stepUser(u, weight, qj, qi);
      this.stepItem(i, weight, pu, -1);
      this.stepItem(j, weight, pu, 1);
    }
    return lossSum;
  }

  /** jsEpoch on the native core: the same draws (the generator's state goes there and back) and the same bits. */
  private nativeEpoch(nat: NativeCore, rng: Rng, order: Int32Array, userOf: Int32Array, indptr: Int32Array, indices: Int32Array, warpWeight: Float64Array): number {
    const p = this.params;
    const opt = this.opt!;
    const { userCols: uc, itemCols: ic } = this;
    const state = rng.getState();
    const loss = nat.hybridEpoch(
      order, userOf, indptr, indices, uc.indptr, uc.indices, uc.data, ic.indptr, ic.indices, ic.data,
      this.userEmb, this.itemEmb, this.itemBiasEmb, opt.user, opt.item, opt.bias, opt.userM, opt.itemM, opt.biasM,
      p.factors, this.nItems, p.loss === 'warp', OPTIMIZER_CODE[p.optimizer], p.learningRate, p.rho, p.epsilon, p.regularization,
      p.maxSampled, warpWeight, state,
    );
    rng.setState(state);
    return loss;
  }

  training(): TrainingLog | undefined {
    return this.lastFit;
  }

  /**
   * out = sum_c x_rc emb_c over the columns of row r; when `dotWith` is given, returns out . dotWith
   * plus the row's bias (the item side), else 0.
   */
  private represent(cols: Csr, emb: Float32Array, r: number, out: Float64Array, dotWith?: Float64Array): number {
    const f = this.params.factors;
    out.fill(0);
    let bias = 0;
    for (let k = cols.indptr[r]!; k < cols.indptr[r + 1]!; k++) {
      const c = cols.indices[k]!;
      const x = cols.data[k]!;
      const o = c * f;
      for (let d = 0; d < f; d++) out[d]! += x * emb[o + d]!;
      if (dotWith) bias += x * this.itemBiasEmb[c]!;
    }
    if (!dotWith) return 0;
    let s = bias;
    for (let d = 0; d < f; d++) s += out[d]! * dotWith[d]!;
    return s;
  }

  /** The user side of a step: each of the user's columns moves along -x_uc weight (a - b). */
  private stepUser(r: number, weight: number, a: Float64Array, b: Float64Array): void {
    const f = this.params.factors;
    const reg = this.params.regularization;
    const cols = this.userCols;
    const emb = this.userEmb;
    const opt = this.opt!;
    for (let k = cols.indptr[r]!; k < cols.indptr[r + 1]!; k++) {
      const c = cols.indices[k]!;
      const x = cols.data[k]!;
      const o = c * f;
      for (let d = 0; d < f; d++) opt.apply(emb, opt.user, opt.userM, o + d, x * weight * (a[d]! - b[d]!) + reg * emb[o + d]!);
    }
  }

  /** The item side of a step: sign -1 for the positive (pulled towards the user), +1 for the negative. */
  private stepItem(item: number, weight: number, pu: Float64Array, sign: number): void {
    const f = this.params.factors;
    const reg = this.params.regularization;
    const cols = this.itemCols;
    const emb = this.itemEmb;
    const opt = this.opt!;
    for (let k = cols.indptr[item]!; k < cols.indptr[item + 1]!; k++) {
      const c = cols.indices[k]!;
      const x = cols.data[k]!;
      const o = c * f;
      for (let d = 0; d < f; d++) opt.apply(emb, opt.item, opt.itemM, o + d, sign * x * weight * pu[d]! + reg * emb[o + d]!);
      opt.apply(this.itemBiasEmb, opt.bias, opt.biasM, c, sign * x * weight + reg * this.itemBiasEmb[c]!);
    }
  }

  /** Item vectors, item biases and user vectors from the column embeddings (for fast scoring). */
  private derive(): void {
    const f = this.params.factors;
    const row = new Float64Array(f);
    const none = new Float64Array(f);
    this.Q = new Float32Array(this.nItems * f);
    this.bq = new Float32Array(this.nItems);
    for (let i = 0; i < this.nItems; i++) {
      this.bq[i] = this.represent(this.itemCols, this.itemEmb, i, row, none);
      this.Q.set(row, i * f);
    }
    this.P = new Float32Array(this.nUsers * f);
    for (let u = 0; u < this.nUsers; u++) {
      this.represent(this.userCols, this.userEmb, u, row);
      this.P.set(row, u * f);
    }
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.P, user * this.params.factors, out);
  }

  /** out[i] = x . q_i + b_i: on the stored item vectors once fitted (the `vectors` param), on Q while training. */
  private scoreVector(x: Float32Array | Float64Array, xo: number, out: Float32Array): void {
    if (this.retrieval) {
      this.retrieval.scoreAll(x, xo, out.subarray(0, this.nItems));
      return;
    }
    scoreRows(this.Q, this.params.factors, x, xo, out.subarray(0, this.nItems));
    for (let i = 0; i < this.nItems; i++) out[i]! += this.bq[i]!;
  }

  itemIndex(): ItemRetrieval {
    return this.fitted();
  }

  retrieve(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK {
    if (typeof query === 'number') return this.fitted().top(this.P, query * this.params.factors, k, exclude, excluded);
    return this.fitted().top(this.foldInVector(query), 0, k, exclude, excluded);
  }

  private fitted(): ItemRetrieval {
    if (!this.retrieval) throw new UnirecError('hybrid-mf: fit or load the model first');
    return this.retrieval;
  }

  placesNewItems(): boolean {
    return this.itemNames.length > 0;
  }

  /**
   * An item put in the catalogue after training, from its attributes (for `itemIndex().add`): the sum of
   * its features' embeddings and biases, the features weighted as a fitted item's row would weigh them
   * (features/new-item.ts), with no id embedding (it has no events) but the unseen-item column, as a
   * cold item at fit time has. Undefined when no attribute names a feature the model has.
   */
  itemVectorOf(attributes: RawAttributes): { vector: Float32Array; bias: number } | undefined {
    if (!this.placesNewItems()) return undefined;
    this.newItems ??= NewItemEncoder.fromRows(this.itemNames, this.itemCols, this.nItems);
    const row = this.newItems.encode(attributes);
    if (row.size === 0) return undefined;
    const columns = [...row].map(([feature, x]) => [this.nItems + feature, x] as const);
    if (this.unseenColumn >= 0) columns.push([this.unseenColumn, this.params.itemIdWeight]);
    let sum = 0;
    for (const [, x] of columns) sum += x;
    const scale = this.params.normalize && sum > 0 ? 1 / sum : 1; // as stackColumns weighs a row
    const f = this.params.factors;
    const vector = new Float32Array(f);
    let bias = 0;
    for (const [c, x] of columns) {
      for (let d = 0; d < f; d++) vector[d]! += scale * x * this.itemEmb[c * f + d]!;
      bias += scale * x * this.itemBiasEmb[c]!;
    }
    return { vector, bias };
  }

  /**
   * A user unseen at fit time: the sum of their attribute embeddings (from the user table when
   * `history.user` is known there, or from `history.attributes`), plus an id-like vector learnt by BPR
   * steps on their events with the item side frozen (seeded from the history: same history, same scores).
   */
  foldIn(history: History, out: Float32Array): void {
    this.scoreVector(this.foldInVector(history), 0, out);
  }

  /** The user vector `foldIn` scores with. */
  private foldInVector(history: History): Float64Array {
    const f = this.params.factors;
    const x = new Float64Array(f);
    this.attributeVector(history, x);
    const items = Int32Array.from(history.items.filter((i) => i >= 0 && i < this.nItems)).sort();
    if (items.length > 0 && items.length < this.nItems && this.params.userIdWeight > 0) {
      let seed = 0x2545f491;
      for (const i of items) seed = Math.imul(seed ^ i, 0x27d4eb2d) >>> 0;
      const rng = new Rng(seed);
      const own = new Float64Array(f);
      const Q = this.Q;
      const lr = this.params.learningRate;
      const reg = this.params.regularization;
      for (let s = 0; s < this.params.foldInEpochs * items.length; s++) {
        const i = items[rng.int(items.length)]!;
        const j = rng.int(this.nItems);
        if (sortedHas(items, 0, items.length, j)) continue;
        let diff = this.bq[i]! - this.bq[j]!;
        for (let d = 0; d < f; d++) diff += (x[d]! + own[d]!) * (Q[i * f + d]! - Q[j * f + d]!);
        const g = 1 / (1 + Math.exp(diff));
        for (let d = 0; d < f; d++) own[d] = own[d]! + lr * (g * (Q[i * f + d]! - Q[j * f + d]!) - reg * own[d]!);
      }
      for (let d = 0; d < f; d++) x[d]! += own[d]!;
    }
    return x;
  }

  /** Adds the embeddings of the user's attributes (feature columns only, not the id) to x. */
  private attributeVector(history: History, x: Float64Array): void {
    const f = this.params.factors;
    const cols = this.userCols;
    if (history.user !== undefined && history.user >= 0 && history.user < this.nUsers) {
      for (let k = cols.indptr[history.user]!; k < cols.indptr[history.user + 1]!; k++) {
        const c = cols.indices[k]!;
        if (c < this.nUsers) continue;
        for (let d = 0; d < f; d++) x[d]! += cols.data[k]! * this.userEmb[c * f + d]!;
      }
      return;
    }
    if (!history.attributes || !this.attrs.length) return;
    const present: number[] = [];
    this.attrs.forEach((a, n) => {
      const code = encodeAttribute(a as DiscreteAttribute, history.attributes![a.column]);
      if (code >= 0) present.push(this.nUsers + this.attrOffsets[n]! + code);
    });
    // the same encoding as a table row: one-hot per attribute, the row L2-normalised (then to sum 1 with normalize)
    const w = this.params.normalize ? 1 / present.length : 1 / Math.sqrt(present.length);
    for (const c of present) for (let d = 0; d < f; d++) x[d]! += this.userEmb[c * f + d]! * w;
  }

  similarItems(item: number, k: number): TopK {
    if (this.retrieval) return this.retrieval.similar(item, k);
    this.itemNorms ??= rowNorms(this.Q, this.nItems, this.params.factors);
    return cosineNeighboursOfRow(this.Q, this.nItems, this.params.factors, this.itemNorms, item, k);
  }

  /**
   * The item's columns that carry the user's score: its own id (what its interactions taught) and each
   * feature, weight = x_ic (p_u . V_c + b_c); they sum to the score.
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    const f = this.params.factors;
    const cols = this.itemCols;
    const reasons: Reason[] = [];
    for (let k = cols.indptr[item]!; k < cols.indptr[item + 1]!; k++) {
      const c = cols.indices[k]!;
      let s = this.itemBiasEmb[c]!;
      for (let d = 0; d < f; d++) s += this.P[user * f + d]! * this.itemEmb[c * f + d]!;
      const weight = cols.data[k]! * s;
      if (c < this.nItems) reasons.push({ kind: 'item', id: item, weight, text: 'liked by users with tastes like yours' });
      else if (c === this.unseenColumn) reasons.push({ kind: 'model', weight, text: UNSEEN_ITEM_REASON });
      else reasons.push({ kind: 'feature', weight, text: this.itemNames[c - this.nItems]! });
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  /** Per-column contributions (id or feature name, weight) of an item's score for a user, largest first. */
  featureContributions(user: number, item: number): { name: string; weight: number }[] {
    return this.explain(user, item, Infinity).map((r) => ({ name: r.kind === 'item' ? 'id' : r.kind === 'model' ? 'unseen item' : r.text, weight: r.weight }));
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: {
        nUsers: this.nUsers,
        nItems: this.nItems,
        itemNames: this.itemNames,
        userNames: this.userNames,
        attrs: this.attrs,
        attrOffsets: this.attrOffsets,
        ...this.fitted().meta('items'),
      },
      arrays: {
        ...derivedRetrievalArrays(this.fitted()),
        itemEmb: this.itemEmb,
        userEmb: this.userEmb,
        itemBiasEmb: this.itemBiasEmb,
        ...csrArrays('icol', this.itemCols),
        ...csrArrays('ucol', this.userCols),
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): HybridMf {
    const m = new HybridMf(Params.parse(a.params));
    m.nUsers = a.meta.nUsers as number;
    m.nItems = a.meta.nItems as number;
    m.itemNames = a.meta.itemNames as string[];
    m.userNames = a.meta.userNames as string[];
    m.attrs = a.meta.attrs as SavedAttribute[];
    m.attrOffsets = a.meta.attrOffsets as number[];
    m.itemEmb = a.arrays.itemEmb as Float32Array;
    m.userEmb = a.arrays.userEmb as Float32Array;
    m.itemBiasEmb = a.arrays.itemBiasEmb as Float32Array;
    // the unseen-item column, when there is one, is the last embedding row (artifacts from before it have none)
    const itemColumns = m.itemBiasEmb.length;
    m.unseenColumn = itemColumns > m.nItems + m.itemNames.length ? itemColumns - 1 : -1;
    m.itemCols = csrFromArrays(a, 'icol', m.nItems, itemColumns);
    m.userCols = csrFromArrays(a, 'ucol', m.nUsers, m.nUsers + m.userNames.length);
    m.history = csrFromArrays(a, 'hist', m.nUsers, m.nItems);
    m.derive();
    m.retrieval = loadDerivedRetrieval(m.params, a, m.Q, m.nItems, m.params.factors, m.bq);
    return m;
  }
}

/**
 * rows x (nIds + features [+ 1]): an id column (when `hasId(r)`, value idWeight) then the feature row,
 * shifted by nIds; with `unseen`, the rows without an id take the last column (one shared by all of them)
 * at idWeight instead; with `normalize`, each row's values scaled to sum to 1 (LightFM's Dataset
 * normalisation).
 */
function stackColumns(nRows: number, nIds: number, hasId: (r: number) => boolean, idWeight: number, feats: Csr | undefined, normalize: boolean, unseen: boolean): Csr {
  const unseenColumn = nIds + (feats?.nCols ?? 0);
  const indptr = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) indptr[r + 1] = indptr[r]! + (hasId(r) || unseen ? 1 : 0) + (feats ? feats.rowLength(r) : 0);
  const indices = new Int32Array(indptr[nRows]!);
  const data = new Float32Array(indices.length);
  for (let r = 0; r < nRows; r++) {
    let at = indptr[r]!;
    if (hasId(r)) {
      indices[at] = r;
      data[at++] = idWeight;
    }
    if (feats) {
      for (let k = feats.indptr[r]!; k < feats.indptr[r + 1]!; k++) {
        indices[at] = nIds + feats.indices[k]!;
        data[at++] = feats.data[k]!;
      }
    }
    if (unseen && !hasId(r)) {
      indices[at] = unseenColumn;
      data[at++] = idWeight;
    }
  }
  if (normalize) {
    for (let r = 0; r < nRows; r++) {
      let sum = 0;
      for (let k = indptr[r]!; k < indptr[r + 1]!; k++) sum += data[k]!;
      if (sum > 0) for (let k = indptr[r]!; k < indptr[r + 1]!; k++) data[k]! /= sum;
    }
  }
  return new Csr(nRows, unseenColumn + (unseen ? 1 : 0), indptr, indices, data);
}

registerModel({
  name: 'hybrid-mf',
  description: 'LightFM-style hybrid factorisation: users and items are sums of id and feature embeddings (WARP or BPR); cold items and users score from features',
  params: Params,
  create: (p) => new HybridMf(p),
  load: (a) => HybridMf.load(a),
});

/** StepSchedule's kinds as the native kernel numbers them. */
const OPTIMIZER_CODE = { adagrad: 0, adadelta: 1, sgd: 2 } as const;

/** How explain names the unseen-item column's share of a score. */
const UNSEEN_ITEM_REASON = 'new: nobody has interacted with it yet';

/** WARP step weights are capped here (LightFM's MAX_LOSS), for stability with very large catalogues. */
const MAX_WARP_WEIGHT = 10;
