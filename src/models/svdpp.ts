import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { native } from '../math/native.js';
import { Rng } from '../math/rng.js';
import { BiasedFactorModel, ratingStats } from './biased-factors.js';
import { retrievalParamShape } from '../retrieval/options.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    factors: z.number().int().positive().default(20),
    epochs: z.number().int().positive().default(40),
    learningRate: z.number().positive().default(0.003),
    regularization: z.number().nonnegative().default(0.02),
    initStd: z.number().nonnegative().default(0.05),
    ...retrievalParamShape,
  })
  .strict();
type SvdppParams = z.infer<typeof Params>;

/**
 * SVD++ (Koren 2008): biased MF whose user vector is completed by the items the user rated,
 * r(u,i) = mu + b_u + b_i + q_i . (p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j), so who-rated-what informs the
 * prediction besides the ratings themselves. Defaults (20 factors, 40 epochs, lr 0.003, reg 0.02,
 * init std 0.05) were chosen by `unirec tune` on ml-100k's ratio *valid* split (BENCHMARKS.md);
 * Surprise's SVDpp uses 20 epochs, lr 0.007, init std 0.1. SGD visits users in a seeded shuffled order and each user's ratings
 * in a shuffled order; the implicit sum is kept up to date within a user and the y_j gradients of a user
 * are applied once at the end of the user (Surprise applies them per rating, which costs |N(u)| f per
 * rating; this costs f per rating plus |N(u)| f per user and gives the same fit quality).
 * FLOPs per epoch: nnz * (10 f + 10) + 4 f nnz for the implicit sums and y updates.
 */
export class Svdpp extends BiasedFactorModel {
  readonly name = 'svdpp';
  /** y_j: the implicit factor of each item */
  private implicitFactors: Float32Array = new Float32Array(0);
  /** p_u + |N(u)|^-1/2 sum y_j per train user, computed once after fit */
  private completed: Float32Array = new Float32Array(0);

  constructor(override readonly params: SvdppParams) {
    super(params);
  }

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const f = p.factors;
    const { nUsers, nItems, byUser } = train;
    const rng = new Rng(ctx.seed);
    const P = new Float32Array(nUsers * f);
    const Q = new Float32Array(nItems * f);
    const Yi = new Float32Array(nItems * f);
    for (let k = 0; k < P.length; k++) P[k] = rng.normal() * p.initStd;
    for (let k = 0; k < Q.length; k++) Q[k] = rng.normal() * p.initStd;
    for (let k = 0; k < Yi.length; k++) Yi[k] = rng.normal() * p.initStd;
    const bu = new Float32Array(nUsers);
    const bi = new Float32Array(nItems);
    const { indptr, indices, data } = byUser;
    const nnz = indices.length;
    const { mu, lo, hi } = ratingStats(data);
    const lr = p.learningRate;
    const reg = p.regularization;
    const userOrder = Int32Array.from({ length: nUsers }, (_, u) => u);
    const ratingOrder = Int32Array.from({ length: nnz }, (_, k) => k);
    const z = new Float64Array(f); // p_u + c sum y_j, kept current
    const implicitSum = new Float64Array(f);
    const grad = new Float64Array(f); // sum over the user's ratings of err * c * q_i
    const nat = native();
    const task = ctx.progress?.start('svdpp: SGD epochs', p.epochs);
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        ensureNotAborted(ctx.signal);
        rng.shuffle(userOrder);
        if (nat) {
          // the same epoch on the native core: the same draws (the generator's state goes there and back), the same bits
          const state = rng.getState();
          nat.svdppEpoch(userOrder, ratingOrder, indptr, indices, data, P, Q, Yi, bu, bi, f, nItems, mu, lr, reg, state);
          rng.setState(state);
        }
        for (let t = 0; t < (nat ? 0 : nUsers); t++) {
          const u = userOrder[t]!;
          const start = indptr[u]!;
          const end = indptr[u + 1]!;
          const n = end - start;
          if (n === 0) continue;
          const c = 1 / Math.sqrt(n);
          implicitSum.fill(0);
          for (let q = start; q < end; q++) {
            const yo = indices[q]! * f;
            for (let k = 0; k < f; k++) implicitSum[k]! += Yi[yo + k]!;
          }
          const po = u * f;
          for (let k = 0; k < f; k++) z[k] = P[po + k]! + c * implicitSum[k]!;
          grad.fill(0);
          // shuffle this user's ratings (a Fisher-Yates pass over their slice of ratingOrder)
          for (let a = end - 1; a > start; a--) {
            const b = start + rng.int(a - start + 1);
            const tmp = ratingOrder[a]!;
            ratingOrder[a] = ratingOrder[b]!;
            ratingOrder[b] = tmp;
          }
          for (let s = start; s < end; s++) {
            const e = ratingOrder[s]!;
            const i = indices[e]!;
            const qo = i * f;
            let dot = 0;
            for (let k = 0; k < f; k++) dot += Q[qo + k]! * z[k]!;
            const err = data[e]! - (mu + bu[u]! + bi[i]! + dot);
            bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
            bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
            for (let k = 0; k < f; k++) {
              const pk = P[po + k]!;
              const qk = Q[qo + k]!;
              const np = pk + lr * (err * qk - reg * pk);
              P[po + k] = np;
              Q[qo + k] = qk + lr * (err * z[k]! - reg * qk);
              z[k]! += np - pk;
              grad[k]! += err * c * qk;
            }
          }
          // y_j += lr (sum_ratings err c q_i - n reg y_j), as the per-rating updates would add up to
          const decay = 1 - lr * reg * n;
          for (let q = start; q < end; q++) {
            const yo = indices[q]! * f;
            for (let k = 0; k < f; k++) Yi[yo + k] = Yi[yo + k]! * decay + lr * grad[k]!;
          }
        }
        task?.tick();
        // yield to the event loop between epochs so a caller can abort
        if (ctx.signal) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      task?.done();
    }
    this.implicitFactors = Yi;
    this.setFitted({ mu, lo, hi, nUsers, nItems, userBias: bu, itemBias: bi, userFactors: P, itemFactors: Q, history: byUser });
    this.completed = this.completeUsers();
  }

  protected userVectors(): Float32Array {
    return this.completed;
  }

  /** p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j for every train user. */
  private completeUsers(): Float32Array {
    const f = this.params.factors;
    const { userFactors, history, nUsers } = this.fitted;
    const out = userFactors.slice();
    const { indptr, indices } = history;
    for (let u = 0; u < nUsers; u++) {
      const n = indptr[u + 1]! - indptr[u]!;
      if (n === 0) continue;
      const c = 1 / Math.sqrt(n);
      for (let q = indptr[u]!; q < indptr[u + 1]!; q++) {
        const yo = indices[q]! * f;
        for (let k = 0; k < f; k++) out[u * f + k]! += c * this.implicitFactors[yo + k]!;
      }
    }
    return out;
  }

  /**
   * A user unseen at fit time: p_u = 0 and the implicit part |h|^-1/2 sum y_j from their items, which
   * is what SVD++ was designed for; b_u is their shrunk mean residual when ratings are given.
   */
  foldIn(history: History, out: Float32Array): void {
    const f = this.params.factors;
    const x = new Float64Array(f);
    const items = history.items.filter((i) => i >= 0 && i < this.fitted.nItems);
    if (items.length) {
      const c = 1 / Math.sqrt(items.length);
      for (const j of items) for (let k = 0; k < f; k++) x[k]! += c * this.implicitFactors[j * f + k]!;
    }
    this.scoreVector(x, 0, this.foldInBias(history.items, history.values), out);
  }

  /**
   * The parts of the prediction: the item's and the user's bias, the explicit taste match p_u . q_i,
   * and per rated item j its implicit share |N(u)|^-1/2 y_j . q_i (the largest shown).
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    const f = this.params.factors;
    const reasons = this.biasReasons(user, item);
    const q = this.itemRow(item);
    const rated = this.fitted.history.rowIndices(user);
    const c = rated.length ? 1 / Math.sqrt(rated.length) : 0;
    for (const j of rated) {
      let s = 0;
      for (let k = 0; k < f; k++) s += this.implicitFactors[j * f + k]! * q[k]!;
      reasons.push({ kind: 'item', id: j, weight: c * s, text: 'you rated this item' });
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  override save(): ModelArtifact {
    return this.artifact({ implicitFactors: this.implicitFactors });
  }

  static load(a: ModelArtifact): Svdpp {
    const m = new Svdpp(Params.parse(a.params));
    m.restore(a);
    m.implicitFactors = a.arrays.implicitFactors as Float32Array;
    m.completed = m.completeUsers();
    return m;
  }
}

registerModel({
  name: 'svdpp',
  description: 'SVD++ for explicit ratings (Koren 2008): biased MF plus implicit feedback from who rated what',
  params: Params,
  create: (p) => new Svdpp(p),
  load: (a) => Svdpp.load(a),
});
