import { Rng } from '../math/rng.js';

export interface CoordinateAscentOptions {
  /** the metric optimised is NDCG at this cut-off */
  k: number;
  /** at most this many passes over the inputs; stops earlier once a pass gains less than `tolerance` */
  passes: number;
  tolerance: number;
}

/** Sizes of the moves tried on one weight (both signs), in units of the L1-normalised weight vector. */
const STEPS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

/**
 * A linear ranker fitted by coordinate ascent on the ranking metric itself (Metzler & Croft 2007, as in
 * RankLib's CoorAscent): mean NDCG@k over the queries, binary labels. Pointwise losses such as the
 * logistic one spend their fit on the whole candidate list; this one moves a weight only when the top k
 * of the queries gets better. x is n x d (row-major, inputs best standardised), the rows of query q are
 * groups[q] .. groups[q + 1], and relevant[q] counts the query's relevant items in all (also those
 * outside its rows, which no weight can bring in, so the ideal DCG is the true one). Starts from the
 * best single input, so on the fitted queries it is never worse than any one input alone. Returns d
 * weights (scale-free: only the order of w . x matters), L1 norm 1.
 *
 * Cost: one trial scores every row (n multiply-adds) and keeps each query's top k (n k at worst, near n in practice);
 * a pass tries 2 |STEPS| moves on each of the d weights.
 */
export function coordinateAscent(
  x: Float64Array,
  labels: Uint8Array,
  groups: Int32Array,
  relevant: Int32Array,
  d: number,
  options: CoordinateAscentOptions,
  rng: Rng,
): Float64Array {
  const n = labels.length;
  const metric = new QueryNdcg(labels, groups, relevant, options.k);
  const scores = new Float64Array(n);
  const trial = new Float64Array(n);
  // the inputs by column: a trial move reads one input of every row, so it reads them contiguously
  const columns = Array.from({ length: d }, (_, f) => {
    const column = new Float64Array(n);
    for (let t = 0; t < n; t++) column[t] = x[t * d + f]!;
    return column;
  });

  // start from the best single input, either sign
  let weights = new Float64Array(d);
  let current = -Infinity;
  for (let f = 0; f < d; f++) {
    const column = columns[f]!;
    for (const sign of [1, -1]) {
      for (let t = 0; t < n; t++) trial[t] = sign * column[t]!;
      const value = metric.mean(trial);
      if (value > current) {
        current = value;
        weights = new Float64Array(d);
        weights[f] = sign;
      }
    }
  }
  const rescore = () => {
    scores.fill(0);
    for (let f = 0; f < d; f++) {
      const w = weights[f]!;
      const column = columns[f]!;
      for (let t = 0; t < n; t++) scores[t]! += w * column[t]!;
    }
  };
  rescore();

  const order = Array.from({ length: d }, (_, f) => f);
  for (let pass = 0; pass < options.passes; pass++) {
    const before = current;
    rng.shuffle(order);
    for (const f of order) {
      let bestStep = 0;
      for (const size of STEPS) {
        for (const step of [size, -size]) {
          const value = metric.meanMoved(scores, columns[f]!, step);
          if (value > current + 1e-12) {
            current = value;
            bestStep = step;
          }
        }
      }
      if (bestStep === 0) continue;
      weights[f]! += bestStep;
      let l1 = 0;
      for (const w of weights) l1 += Math.abs(w);
      if (l1 > 0) for (let g = 0; g < d; g++) weights[g]! /= l1;
      rescore();
    }
    if (current - before < options.tolerance) break;
  }
  return weights;
}

/** Mean NDCG@k of score vectors over fixed queries (binary labels; ties broken by row order). */
class QueryNdcg {
  private readonly ideal: Float64Array;
  private readonly discount: Float64Array;
  private readonly topScores: Float64Array;
  private readonly topRows: Int32Array;

  constructor(
    private readonly labels: Uint8Array,
    private readonly groups: Int32Array,
    relevant: Int32Array,
    private readonly k: number,
  ) {
    this.discount = Float64Array.from({ length: k }, (_, r) => 1 / Math.log2(r + 2));
    this.ideal = Float64Array.from(relevant, (m) => {
      let s = 0;
      for (let r = 0; r < Math.min(m, k); r++) s += this.discount[r]!;
      return s;
    });
    this.topScores = new Float64Array(k);
    this.topRows = new Int32Array(k);
  }

  mean(scores: Float64Array): number {
    return this.meanMoved(scores, scores, 0);
  }

  /**
   * Mean NDCG@k of the scores base + step x column, computed row by row (no trial vector written:
   * a coordinate-ascent move is scored in one read of base and column).
   */
  meanMoved(base: Float64Array, column: Float64Array, step: number): number {
    const { k, groups, labels } = this;
    let sum = 0;
    const nQueries = groups.length - 1;
    for (let q = 0; q < nQueries; q++) {
      if (this.ideal[q] === 0) continue;
      // insertion into a sorted top k: candidate lists are a few hundred rows, k is small
      let size = 0;
      for (let t = groups[q]!; t < groups[q + 1]!; t++) {
        const s = base[t]! + step * column[t]!;
        if (size === k && s <= this.topScores[k - 1]!) continue;
        let at = size < k ? size++ : k - 1;
        while (at > 0 && this.topScores[at - 1]! < s) {
          this.topScores[at] = this.topScores[at - 1]!;
          this.topRows[at] = this.topRows[at - 1]!;
          at--;
        }
        this.topScores[at] = s;
        this.topRows[at] = t;
      }
      let dcg = 0;
      for (let r = 0; r < size; r++) if (labels[this.topRows[r]!]) dcg += this.discount[r]!;
      sum += dcg / this.ideal[q]!;
    }
    return sum / nQueries;
  }
}
