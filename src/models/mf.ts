import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { cholesky, choleskySolve } from '../math/cholesky.js';
import { native } from '../math/native.js';
import { Rng } from '../math/rng.js';
import { BiasedFactorModel, ratingStats } from './biased-factors.js';
import { retrievalParamShape } from '../retrieval/options.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    factors: z.number().int().positive().default(150),
    epochs: z.number().int().positive().default(40),
    learningRate: z.number().positive().default(0.007),
    regularization: z.number().nonnegative().default(0.075),
    /** factors start normal(0, initStd) */
    initStd: z.number().nonnegative().default(0.1),
    /** learn the user and item biases (false: plain factorisation around the mean) */
    biased: z.boolean().default(true),
    ...retrievalParamShape,
  })
  .strict();
type MfParams = z.infer<typeof Params>;

/**
 * Biased matrix factorisation for explicit ratings, r(u,i) = mu + b_u + b_i + p_u . q_i, fitted by SGD
 * on the squared error with L2 penalties exactly as Surprise's SVD (Funk 2006; Koren, Bell & Volinsky
 * 2009), except that the ratings are visited in a seeded shuffled order each epoch. Predictions are
 * clipped to the train rating range. Defaults (150 factors, 40 epochs, lr 0.007, reg 0.075) were chosen
 * by `unirec tune` on ml-100k's ratio *valid* split (BENCHMARKS.md); Surprise's own defaults are
 * {"factors":100,"epochs":20,"learningRate":0.005,"regularization":0.02}.
 * FLOPs per epoch: nnz * (8 f + 10).
 */
export class Mf extends BiasedFactorModel {
  readonly name = 'mf';

  constructor(override readonly params: MfParams) {
    super(params);
  }

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const f = p.factors;
    const { nUsers, nItems } = train;
    const x = train.interactions;
    const n = x.length;
    const rng = new Rng(ctx.seed);
    const P = new Float32Array(nUsers * f);
    const Q = new Float32Array(nItems * f);
    for (let k = 0; k < P.length; k++) P[k] = rng.normal() * p.initStd;
    for (let k = 0; k < Q.length; k++) Q[k] = rng.normal() * p.initStd;
    const bu = new Float32Array(nUsers);
    const bi = new Float32Array(nItems);
    const { mu, lo, hi } = ratingStats(x.value);
    const users = x.user;
    const items = x.item;
    const values = x.value;
    const order = Int32Array.from({ length: n }, (_, r) => r);
    const lr = p.learningRate;
    const reg = p.regularization;
    const biased = p.biased;
    const task = ctx.progress?.start('mf: SGD epochs', p.epochs);
    const nat = native();
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        ensureNotAborted(ctx.signal);
        rng.shuffle(order);
        // the same epoch on the native core (same order and formulas; the dot product's sum reassociated)
        if (nat) nat.mfEpoch(order, users, items, values, P, Q, bu, bi, f, mu, lr, reg, biased, nUsers, nItems);
        for (let t = 0; t < (nat ? 0 : n); t++) {
          const r = order[t]!;
          const u = users[r]!;
          const i = items[r]!;
          const po = u * f;
          const qo = i * f;
          let dot = 0;
          for (let k = 0; k < f; k++) dot += P[po + k]! * Q[qo + k]!;
          const err = values[r]! - (mu + bu[u]! + bi[i]! + dot);
          if (biased) {
            bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
            bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
          }
          for (let k = 0; k < f; k++) {
            const pk = P[po + k]!;
            const qk = Q[qo + k]!;
            P[po + k] = pk + lr * (err * qk - reg * pk);
            Q[qo + k] = qk + lr * (err * pk - reg * qk);
          }
        }
        task?.tick();
        // yield to the event loop between epochs so a caller can abort
        if (ctx.signal) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      task?.done();
    }
    this.setFitted({ mu, lo, hi, nUsers, nItems, userBias: bu, itemBias: bi, userFactors: P, itemFactors: Q, history: train.byUser });
  }

  protected userVectors(): Float32Array {
    return this.fitted.userFactors;
  }

  /**
   * A user unseen at fit time, from their ratings (history.values; without them every item counts as
   * the top of the rating scale): b_u is their shrunk mean residual, p_u the ridge solution of their
   * remaining residuals on the item factors, (Q_h^T Q_h + reg |h| I) p_u = Q_h^T res. FLOPs f^3 / 3 + 2 f^2 |h|.
   */
  foldIn(history: History, out: Float32Array): void {
    const f = this.params.factors;
    const { mu, hi, itemBias, nItems } = this.fitted;
    const keep = history.items.map((i) => (i >= 0 && i < nItems ? 1 : 0));
    const items = history.items.filter((_, t) => keep[t] === 1);
    const ratings = new Float32Array(items.length);
    for (let t = 0, q = 0; t < history.items.length; t++) if (keep[t] === 1) ratings[q++] = history.values?.[t] ?? hi;
    const bu = this.params.biased ? this.foldInBias(items, ratings) : 0;
    const a = new Float64Array(f * f);
    const b = new Float64Array(f);
    for (let k = 0; k < f; k++) a[k * f + k] = Math.max(1e-6, this.params.regularization * items.length);
    for (let t = 0; t < items.length; t++) {
      const q = this.itemRow(items[t]!);
      const res = ratings[t]! - mu - bu - itemBias[items[t]!]!;
      for (let r = 0; r < f; r++) {
        b[r]! += res * q[r]!;
        for (let c = 0; c <= r; c++) a[r * f + c]! += q[r]! * q[c]!;
      }
    }
    cholesky(a, f);
    choleskySolve(a, f, b);
    this.scoreVector(b, 0, bu, out);
  }

  /** The parts of the predicted rating: the item's bias, the user's bias and the taste match p_u . q_i. */
  explain(user: number, item: number, limit = 3): Reason[] {
    return this.biasReasons(user, item)
      .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
      .slice(0, limit);
  }

  static load(a: ModelArtifact): Mf {
    const m = new Mf(Params.parse(a.params));
    m.restore(a);
    return m;
  }
}

registerModel({
  name: 'mf',
  description: 'biased matrix factorisation for explicit ratings by SGD (Surprise SVD; RMSE/MAE and ranking)',
  params: Params,
  create: (p) => new Mf(p),
  load: (a) => Mf.load(a),
});
