import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { cholesky, choleskySolve } from '../math/cholesky.js';
import { cosineNeighboursOfRow, rowNorms, scoreRows } from '../math/factors.js';
import { Rng } from '../math/rng.js';
import type { TopK } from '../math/topk.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
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
export class Mf implements Recommender {
  readonly name = 'mf';
  private mu = 0;
  private lo = -Infinity;
  private hi = Infinity;
  private userBias: Float32Array = new Float32Array(0);
  private itemBias: Float32Array = new Float32Array(0);
  private userFactors: Float32Array = new Float32Array(0);
  private itemFactors: Float32Array = new Float32Array(0);
  private nUsers = 0;
  private nItems = 0;
  private history!: Csr;
  private itemNorms: Float32Array | undefined;

  constructor(readonly params: MfParams) {}

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
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < n; r++) {
      const v = x.value[r]!;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const mu = n ? sum / n : 0;
    const users = x.user;
    const items = x.item;
    const values = x.value;
    const order = Int32Array.from({ length: n }, (_, r) => r);
    const lr = p.learningRate;
    const reg = p.regularization;
    const biased = p.biased;
    const task = ctx.progress?.start('mf: SGD epochs', p.epochs);
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        ensureNotAborted(ctx.signal);
        rng.shuffle(order);
        for (let t = 0; t < n; t++) {
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
    Object.assign(this, { mu, lo: n ? lo : -Infinity, hi: n ? hi : Infinity, nUsers, nItems });
    this.userBias = bu;
    this.itemBias = bi;
    this.userFactors = P;
    this.itemFactors = Q;
    this.history = train.byUser;
    this.itemNorms = undefined;
  }

  predictRating(user: number, item: number): number {
    const f = this.params.factors;
    let s = this.mu + (this.userBias[user] ?? 0) + (this.itemBias[item] ?? 0);
    if (user >= 0 && user < this.nUsers && item >= 0 && item < this.nItems) {
      for (let k = 0; k < f; k++) s += this.userFactors[user * f + k]! * this.itemFactors[item * f + k]!;
    }
    return Math.min(this.hi, Math.max(this.lo, s));
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userFactors, user * this.params.factors, this.userBias[user]!, out);
  }

  /** out[i] = mu + b_u + b_i + x . q_i (unclipped: ties at the top of the scale would hide the order). */
  private scoreVector(x: Float32Array | Float64Array, xo: number, bu: number, out: Float32Array): void {
    scoreRows(this.itemFactors, this.params.factors, x, xo, out.subarray(0, this.nItems));
    const base = this.mu + bu;
    for (let i = 0; i < this.nItems; i++) out[i]! += base + this.itemBias[i]!;
  }

  /**
   * A user unseen at fit time, from their ratings (history.values; without them every item counts as
   * the top of the rating scale): b_u is their shrunk mean residual, p_u the ridge solution of their
   * remaining residuals on the item factors, (Q_h^T Q_h + reg |h| I) p_u = Q_h^T res. FLOPs f^3 / 3 + 2 f^2 |h|.
   */
  foldIn(history: History, out: Float32Array): void {
    const f = this.params.factors;
    const Q = this.itemFactors;
    const items: number[] = [];
    const ratings: number[] = [];
    history.items.forEach((i, t) => {
      if (i >= 0 && i < this.nItems) {
        items.push(i);
        ratings.push(history.values?.[t] ?? this.hi);
      }
    });
    let bu = 0;
    if (this.params.biased && items.length) {
      let s = 0;
      for (let t = 0; t < items.length; t++) s += ratings[t]! - this.mu - this.itemBias[items[t]!]!;
      bu = s / (items.length + 15);
    }
    const a = new Float64Array(f * f);
    const b = new Float64Array(f);
    for (let k = 0; k < f; k++) a[k * f + k] = Math.max(1e-6, this.params.regularization * items.length);
    for (let t = 0; t < items.length; t++) {
      const qo = items[t]! * f;
      const res = ratings[t]! - this.mu - bu - this.itemBias[items[t]!]!;
      for (let r = 0; r < f; r++) {
        b[r]! += res * Q[qo + r]!;
        for (let c = 0; c <= r; c++) a[r * f + c]! += Q[qo + r]! * Q[qo + c]!;
      }
    }
    cholesky(a, f);
    choleskySolve(a, f, b);
    this.scoreVector(b, 0, bu, out);
  }

  similarItems(item: number, k: number): TopK {
    this.itemNorms ??= rowNorms(this.itemFactors, this.nItems, this.params.factors);
    return cosineNeighboursOfRow(this.itemFactors, this.nItems, this.params.factors, this.itemNorms, item, k);
  }

  /** The parts of the predicted rating: the item's bias, the user's bias and the taste match p_u . q_i. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const f = this.params.factors;
    let taste = 0;
    for (let k = 0; k < f; k++) taste += this.userFactors[user * f + k]! * this.itemFactors[item * f + k]!;
    const reasons: Reason[] = [
      { kind: 'popularity', weight: this.itemBias[item]!, text: `rated ${this.itemBias[item]! >= 0 ? 'above' : 'below'} average by others` },
      { kind: 'user', id: user, weight: this.userBias[user]!, text: `you rate ${this.userBias[user]! >= 0 ? 'above' : 'below'} average` },
      { kind: 'model', weight: taste, text: taste >= 0 ? 'matches your taste' : 'does not match your taste' },
    ];
    return reasons.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, limit);
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { mu: this.mu, lo: this.lo, hi: this.hi, nUsers: this.nUsers, nItems: this.nItems },
      arrays: {
        userBias: this.userBias,
        itemBias: this.itemBias,
        userFactors: this.userFactors,
        itemFactors: this.itemFactors,
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): Mf {
    const m = new Mf(Params.parse(a.params));
    Object.assign(m, { mu: a.meta.mu, lo: a.meta.lo ?? -Infinity, hi: a.meta.hi ?? Infinity, nUsers: a.meta.nUsers, nItems: a.meta.nItems });
    m.userBias = a.arrays.userBias as Float32Array;
    m.itemBias = a.arrays.itemBias as Float32Array;
    m.userFactors = a.arrays.userFactors as Float32Array;
    m.itemFactors = a.arrays.itemFactors as Float32Array;
    m.history = csrFromArrays(a, 'hist', m.nUsers, m.nItems);
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
