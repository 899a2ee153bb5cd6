import { scoreRows } from '../math/factors.js';
import { grow, type VectorStore } from './vector-store.js';

/** Plain float32 rows (the reference: exact). 4 dim bytes per row. */
export class Float32Store implements VectorStore {
  readonly kind = 'float32';
  private data: Float32Array;

  constructor(
    data: Float32Array,
    public n: number,
    readonly dim: number,
  ) {
    this.data = data;
  }

  get bytes(): number {
    return this.n * this.dim * 4;
  }

  /** The rows as one n x dim row-major array (a view, not a copy). */
  get rows(): Float32Array {
    return this.data.subarray(0, this.n * this.dim);
  }

  scoreAll(q: Float64Array, out: Float32Array): void {
    scoreRows(this.data, this.dim, q, 0, out);
  }

  dot(q: Float64Array, i: number): number {
    const d = this.dim;
    const o = i * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += q[k]! * this.data[o + k]!;
    return s;
  }

  decode(i: number, out: Float32Array | Float64Array): void {
    for (let k = 0; k < this.dim; k++) out[k] = this.data[i * this.dim + k]!;
  }

  append(v: ArrayLike<number>): number {
    this.data = grow(this.data, (this.n + 1) * this.dim, (m) => new Float32Array(m));
    for (let k = 0; k < this.dim; k++) this.data[this.n * this.dim + k] = v[k]!;
    return this.n++;
  }

  arrays(prefix: string): Record<string, Float32Array> {
    return { [`${prefix}F32`]: this.rows };
  }
}
