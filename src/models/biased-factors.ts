import type { Csr } from '../data/csr.js';
import { cosineNeighboursOfRow, rowNorms } from '../math/factors.js';
import { topK, type TopK } from '../math/topk.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { itemRetrieval, loadItemRetrieval, loadUserRows, retrievalArrays, type ItemRetrieval } from './factor-retrieval.js';
import type { RetrievalParams } from '../retrieval/options.js';
import type { History, ModelArtifact, Reason, Recommender } from './recommender.js';

/** What a fitted explicit-rating factor model holds: r(u,i) = mu + b_u + b_i + x_u . q_i. */
export interface BiasedFactors {
  mu: number;
  /** the train rating range, predictions are clipped to it */
  lo: number;
  hi: number;
  userBias: Float32Array;
  itemBias: Float32Array;
  /** p_u, the free user factors */
  userFactors: Float32Array;
  /** q_i; empty with compressed `vectors` (then only the retrieval's stored form is resident: see itemRow) */
  itemFactors: Float32Array;
  nUsers: number;
  nItems: number;
  /** train histories (explanations, fold-in of implicit parts) */
  history: Csr;
}

/** Mean and range of the train ratings (mu = 0 and an open range when there are none). */
export function ratingStats(values: Float32Array): { mu: number; lo: number; hi: number } {
  if (values.length === 0) return { mu: 0, lo: -Infinity, hi: Infinity };
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { mu: sum / values.length, lo, hi };
}

/** Shrinkage of a folded-in user's mean residual toward 0, in pseudo-ratings. */
const FOLD_IN_BIAS_SHRINKAGE = 15;

/**
 * The shared half of the biased factor models for explicit ratings (`mf`, `svdpp`): prediction, scoring,
 * item similarity, the bias part of explanations and the artifact. A subclass fits the factors and says
 * which vector scores a train user (`userVectors`: p_u for mf, p_u plus the implicit part for SVD++).
 */
export abstract class BiasedFactorModel implements Recommender {
  abstract readonly name: string;
  protected fitted!: BiasedFactors;
  private itemNorms: Float32Array | undefined;
  /** the item vectors and biases as retrieval scores them (the `retrieval` / `vectors` params) */
  private retrieval!: ItemRetrieval;
  private rowBuf = new Float32Array(0);

  constructor(readonly params: { factors: number } & RetrievalParams & Record<string, unknown>) {}

  abstract fit(...args: Parameters<Recommender['fit']>): Promise<void>;
  abstract foldIn(history: History, out: Float32Array): void;
  abstract explain(user: number, item: number, limit?: number): Reason[];

  /** The vector each train user is scored with, nUsers x f. */
  protected abstract userVectors(): Float32Array;

  /** The fitted arrays, and the retrieval over the item side (loaded from `a` when restoring an artifact). */
  protected setFitted(fitted: BiasedFactors, a?: ModelArtifact): void {
    const { params: p } = this;
    if (a) {
      ({ retrieval: this.retrieval, itemRows: fitted.itemFactors } = loadItemRetrieval(p, a, fitted.nItems, p.factors, fitted.itemBias));
      fitted.userFactors = loadUserRows(a, fitted.nUsers, p.factors);
    } else {
      const r = itemRetrieval(p, fitted.itemFactors, fitted.nItems, fitted.userFactors, fitted.nUsers, p.factors, fitted.itemBias);
      ({ retrieval: this.retrieval, itemRows: fitted.itemFactors, userRows: fitted.userFactors } = r);
    }
    if (p.vectors !== 'float32') fitted.itemFactors = new Float32Array(0);
    this.rowBuf = new Float32Array(p.factors);
    this.fitted = fitted;
    this.itemNorms = undefined;
  }

  /**
   * Item i's float32 row q_i: a view of the resident factors, or (compressed `vectors`) the stored row
   * decoded into `buf` (overwritten by the next call with the same buffer).
   */
  protected itemRow(i: number, buf: Float32Array = this.rowBuf): Float32Array {
    const f = this.params.factors;
    if (this.params.vectors === 'float32') return this.fitted.itemFactors.subarray(i * f, (i + 1) * f);
    this.retrieval.store.decode(i, buf);
    return buf;
  }

  predictRating(user: number, item: number): number {
    const { mu, lo, hi, userBias, itemBias, nUsers, nItems } = this.fitted;
    const f = this.params.factors;
    const users = this.userVectors();
    let s = mu + (userBias[user] ?? 0) + (itemBias[item] ?? 0);
    if (user >= 0 && user < nUsers && item >= 0 && item < nItems) {
      const q = this.itemRow(item);
      for (let k = 0; k < f; k++) s += users[user * f + k]! * q[k]!;
    }
    return Math.min(hi, Math.max(lo, s));
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userVectors(), user * this.params.factors, this.fitted.userBias[user]!, out);
  }

  /** out[i] = mu + b_u + b_i + x . q_i (unclipped: ties at the top of the scale would hide the order). */
  protected scoreVector(x: Float32Array | Float64Array, xo: number, bu: number, out: Float32Array): void {
    const { mu, nItems } = this.fitted;
    this.retrieval.scoreAll(x, xo, out.subarray(0, nItems)); // x . q_i + b_i
    const base = mu + bu;
    for (let i = 0; i < nItems; i++) out[i]! += base;
  }

  itemIndex(): ItemRetrieval {
    return this.retrieval;
  }

  /** The best items by b_i + x . q_i (mu + b_u rank nothing); a history is folded in and scored in full. */
  retrieve(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK {
    if (typeof query === 'number') return this.retrieval.top(this.userVectors(), query * this.params.factors, k, exclude, excluded);
    const scores = new Float32Array(this.fitted.nItems);
    this.foldIn(query, scores);
    return topK(scores, k, exclude);
  }

  /** A folded-in user's bias: their mean residual over the known items they rated, shrunk toward 0. */
  protected foldInBias(items: Int32Array, ratings: Float32Array | undefined): number {
    if (!ratings) return 0;
    const { mu, itemBias, nItems } = this.fitted;
    let sum = 0;
    let n = 0;
    for (let t = 0; t < items.length; t++) {
      const i = items[t]!;
      if (i < 0 || i >= nItems) continue;
      sum += ratings[t]! - mu - itemBias[i]!;
      n++;
    }
    return n ? sum / (n + FOLD_IN_BIAS_SHRINKAGE) : 0;
  }

  similarItems(item: number, k: number): TopK {
    if (this.params.vectors !== 'float32') return this.retrieval.similar(item, k);
    const { itemFactors, nItems } = this.fitted;
    this.itemNorms ??= rowNorms(itemFactors, nItems, this.params.factors);
    return cosineNeighboursOfRow(itemFactors, nItems, this.params.factors, this.itemNorms, item, k);
  }

  /** The parts every biased model shares: the item's bias, the user's bias and the taste match p_u . q_i. */
  protected biasReasons(user: number, item: number): Reason[] {
    const { userBias, itemBias, userFactors } = this.fitted;
    const f = this.params.factors;
    const q = this.itemRow(item);
    let taste = 0;
    for (let k = 0; k < f; k++) taste += userFactors[user * f + k]! * q[k]!;
    return [
      { kind: 'popularity', weight: itemBias[item]!, text: `rated ${itemBias[item]! >= 0 ? 'above' : 'below'} average by others` },
      { kind: 'user', id: user, weight: userBias[user]!, text: `you rate ${userBias[user]! >= 0 ? 'above' : 'below'} average` },
      { kind: 'model', weight: taste, text: taste >= 0 ? 'matches your taste' : 'does not match your taste' },
    ];
  }

  /** The artifact: the shared arrays plus the subclass's own (`extra`). */
  protected artifact(extra: Record<string, Float32Array> = {}): ModelArtifact {
    const { mu, lo, hi, nUsers, nItems, userBias, itemBias, userFactors, itemFactors, history } = this.fitted;
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { mu, lo, hi, nUsers, nItems, ...this.retrieval.meta('items') },
      arrays: { userBias, itemBias, ...retrievalArrays(this.params, this.retrieval, itemFactors, userFactors, nUsers), ...extra, ...csrArrays('hist', history) },
    };
  }

  save(): ModelArtifact {
    return this.artifact();
  }

  /** Restores what `artifact()` wrote (call from a subclass's static load, then restore its extras). */
  protected restore(a: ModelArtifact): void {
    const meta = a.meta as { mu: number; lo?: number; hi?: number; nUsers: number; nItems: number };
    const rows = new Float32Array(0); // set from the artifact by setFitted
    this.setFitted(
      {
        mu: meta.mu,
        lo: meta.lo ?? -Infinity,
        hi: meta.hi ?? Infinity,
        nUsers: meta.nUsers,
        nItems: meta.nItems,
        userBias: a.arrays.userBias as Float32Array,
        itemBias: a.arrays.itemBias as Float32Array,
        userFactors: rows,
        itemFactors: rows,
        history: csrFromArrays(a, 'hist', meta.nUsers, meta.nItems),
      },
      a,
    );
  }
}
