/**
 * Maximum inner product search as nearest-neighbour search on the unit sphere (Bachrach et al. 2014,
 * "Speeding up the Xbox recommender system"): with M = max_i |y_i|, each item becomes
 * y'_i = [y_i, sqrt(M^2 - |y_i|^2)] / M (unit length) and a query q' = [q / |q|, 0]. Then
 * q' . y'_i = (q . y_i) / (|q| M): the same order as the inner product, and since every y'_i has norm 1,
 * the largest inner product is the smallest angle, which a cosine / L2 graph index searches correctly.
 * (A raw inner-product "distance" is not a metric: a graph built on it favours long vectors.)
 *
 * An item added later with a norm above M gets a zero extra coordinate (its inner products are scaled
 * down by M / |y| in the index, never in the exact re-rank); rebuild the index when many such items come.
 */
export class MipsReduction {
  constructor(
    readonly dim: number,
    /** the largest item norm at build time */
    readonly maxNorm: number,
  ) {}

  static of(rows: Float32Array, n: number, dim: number): MipsReduction {
    let max = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += rows[i * dim + k]! ** 2;
      max = Math.max(max, s);
    }
    return new MipsReduction(dim, Math.sqrt(max) || 1);
  }

  /** The item's point in the index (dim + 1 numbers). */
  item(y: ArrayLike<number>, offset = 0): number[] {
    const d = this.dim;
    const out = new Array<number>(d + 1);
    let s = 0;
    for (let k = 0; k < d; k++) {
      const v = y[offset + k]!;
      s += v * v;
      out[k] = v / this.maxNorm;
    }
    out[d] = Math.sqrt(Math.max(0, this.maxNorm * this.maxNorm - s)) / this.maxNorm;
    return out;
  }

  /** The query's point (dim + 1 numbers); the zero query stays zero. */
  query(q: ArrayLike<number>): number[] {
    const d = this.dim;
    let s = 0;
    for (let k = 0; k < d; k++) s += q[k]! * q[k]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    const out = new Array<number>(d + 1);
    for (let k = 0; k < d; k++) out[k] = q[k]! * inv;
    out[d] = 0;
    return out;
  }
}
