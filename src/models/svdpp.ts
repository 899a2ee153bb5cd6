import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { cosineNeighboursOfRow, rowNorms, scoreRows } from '../math/factors.js';
import { Rng } from '../math/rng.js';
import type { TopK } from '../math/topk.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    factors: z.number().int().positive().default(20),
    epochs: z.number().int().positive().default(40),
    learningRate: z.number().positive().default(0.003),
    regularization: z.number().nonnegative().default(0.02),
    initStd: z.number().nonnegative().default(0.05),
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
export class Svdpp implements Recommender {
  readonly name = 'svdpp';
  private mu = 0;
  private lo = -Infinity;
  private hi = Infinity;
  private userBias: Float32Array = new Float32Array(0);
  private itemBias: Float32Array = new Float32Array(0);
  private userFactors: Float32Array = new Float32Array(0);
  private itemFactors: Float32Array = new Float32Array(0);
  /** y_j: the implicit factor of each item */
  private implicitFactors: Float32Array = new Float32Array(0);
  /** p_u + |N(u)|^-1/2 sum y_j per train user, computed once after fit */
  private userVectors: Float32Array = new Float32Array(0);
  private nUsers = 0;
  private nItems = 0;
  private history!: Csr;
  private itemNorms: Float32Array | undefined;

  constructor(readonly params: SvdppParams) {}

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
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < nnz; k++) {
      sum += data[k]!;
      lo = Math.min(lo, data[k]!);
      hi = Math.max(hi, data[k]!);
    }
    const mu = nnz ? sum / nnz : 0;
    const lr = p.learningRate;
    const reg = p.regularization;
    const userOrder = Int32Array.from({ length: nUsers }, (_, u) => u);
    const ratingOrder = Int32Array.from({ length: nnz }, (_, k) => k);
    const z = new Float64Array(f); // p_u + c sum y_j, kept current
    const implicitSum = new Float64Array(f);
    const grad = new Float64Array(f); // sum over the user's ratings of err * c * q_i
    const task = ctx.progress?.start('svdpp: SGD epochs', p.epochs);
    try {
      for (let epoch = 0; epoch < p.epochs; epoch++) {
        ensureNotAborted(ctx.signal);
        rng.shuffle(userOrder);
        for (let t = 0; t < nUsers; t++) {
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
    Object.assign(this, { mu, lo: nnz ? lo : -Infinity, hi: nnz ? hi : Infinity, nUsers, nItems });
    this.userBias = bu;
    this.itemBias = bi;
    this.userFactors = P;
    this.itemFactors = Q;
    this.implicitFactors = Yi;
    this.history = byUser;
    this.itemNorms = undefined;
    this.userVectors = this.completeUsers();
  }

  /** p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j for every train user. */
  private completeUsers(): Float32Array {
    const f = this.params.factors;
    const out = this.userFactors.slice();
    const { indptr, indices } = this.history;
    for (let u = 0; u < this.nUsers; u++) {
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

  predictRating(user: number, item: number): number {
    const f = this.params.factors;
    let s = this.mu + (this.userBias[user] ?? 0) + (this.itemBias[item] ?? 0);
    if (user >= 0 && user < this.nUsers && item >= 0 && item < this.nItems) {
      for (let k = 0; k < f; k++) s += this.userVectors[user * f + k]! * this.itemFactors[item * f + k]!;
    }
    return Math.min(this.hi, Math.max(this.lo, s));
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userVectors, user * this.params.factors, this.userBias[user]!, out);
  }

  private scoreVector(x: Float32Array | Float64Array, xo: number, bu: number, out: Float32Array): void {
    scoreRows(this.itemFactors, this.params.factors, x, xo, out.subarray(0, this.nItems));
    const base = this.mu + bu;
    for (let i = 0; i < this.nItems; i++) out[i]! += base + this.itemBias[i]!;
  }

  /**
   * A user unseen at fit time: p_u = 0 and the implicit part |h|^-1/2 sum y_j from their items, which
   * is what SVD++ was designed for; b_u is their shrunk mean residual when ratings are given.
   */
  foldIn(history: History, out: Float32Array): void {
    const f = this.params.factors;
    const x = new Float64Array(f);
    const items = history.items.filter((i) => i >= 0 && i < this.nItems);
    let bu = 0;
    if (items.length) {
      const c = 1 / Math.sqrt(items.length);
      for (const j of items) for (let k = 0; k < f; k++) x[k]! += c * this.implicitFactors[j * f + k]!;
      if (history.values) {
        let s = 0;
        history.items.forEach((i, t) => {
          if (i >= 0 && i < this.nItems) s += history.values![t]! - this.mu - this.itemBias[i]!;
        });
        bu = s / (items.length + 15);
      }
    }
    this.scoreVector(x, 0, bu, out);
  }

  similarItems(item: number, k: number): TopK {
    this.itemNorms ??= rowNorms(this.itemFactors, this.nItems, this.params.factors);
    return cosineNeighboursOfRow(this.itemFactors, this.nItems, this.params.factors, this.itemNorms, item, k);
  }

  /**
   * The parts of the prediction: the item's and the user's bias, the explicit taste match p_u . q_i,
   * and per rated item j its implicit share |N(u)|^-1/2 y_j . q_i (the largest shown).
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    const f = this.params.factors;
    const Q = this.itemFactors;
    let taste = 0;
    for (let k = 0; k < f; k++) taste += this.userFactors[user * f + k]! * Q[item * f + k]!;
    const reasons: Reason[] = [
      { kind: 'popularity', weight: this.itemBias[item]!, text: `rated ${this.itemBias[item]! >= 0 ? 'above' : 'below'} average by others` },
      { kind: 'user', id: user, weight: this.userBias[user]!, text: `you rate ${this.userBias[user]! >= 0 ? 'above' : 'below'} average` },
      { kind: 'model', weight: taste, text: taste >= 0 ? 'matches your taste' : 'does not match your taste' },
    ];
    const rated = this.history.rowIndices(user);
    const c = rated.length ? 1 / Math.sqrt(rated.length) : 0;
    for (const j of rated) {
      let s = 0;
      for (let k = 0; k < f; k++) s += this.implicitFactors[j * f + k]! * Q[item * f + k]!;
      reasons.push({ kind: 'item', id: j, weight: c * s, text: 'you rated this item' });
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
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
        implicitFactors: this.implicitFactors,
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): Svdpp {
    const m = new Svdpp(Params.parse(a.params));
    Object.assign(m, { mu: a.meta.mu, lo: a.meta.lo ?? -Infinity, hi: a.meta.hi ?? Infinity, nUsers: a.meta.nUsers, nItems: a.meta.nItems });
    m.userBias = a.arrays.userBias as Float32Array;
    m.itemBias = a.arrays.itemBias as Float32Array;
    m.userFactors = a.arrays.userFactors as Float32Array;
    m.itemFactors = a.arrays.itemFactors as Float32Array;
    m.implicitFactors = a.arrays.implicitFactors as Float32Array;
    m.history = csrFromArrays(a, 'hist', m.nUsers, m.nItems);
    m.userVectors = m.completeUsers();
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
