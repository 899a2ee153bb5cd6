import { grow, type VectorStore } from './vector-store.js';

/**
 * Rows as int8 codes with one float32 scale per row (symmetric: code = round(y / s), s = max|y| / 127):
 * dim + 4 bytes per row (3.76x less than float32 at 64 dimensions). A decoded element is within s / 2
 * of the original, so q . row_i is within ||q||_1 s_i / 2 of the float32 score.
 *
 * `scoreAll` multiplies the float query by the codes. `scoreQuantized` also quantizes the query (an
 * integer dot product, then both scales): a coarser first pass whose top candidates are re-scored by
 * `dot` (the exact re-rank on the stored rows).
 */
export class Int8Store implements VectorStore {
  readonly kind = 'int8';
  private codes: Int8Array;
  private scale: Float32Array;

  constructor(
    codes: Int8Array,
    scale: Float32Array,
    public n: number,
    readonly dim: number,
  ) {
    this.codes = codes;
    this.scale = scale;
  }

  static encode(rows: Float32Array, n: number, dim: number): Int8Store {
    const s = new Int8Store(new Int8Array(n * dim), new Float32Array(n), 0, dim);
    for (let i = 0; i < n; i++) s.append(rows.subarray(i * dim, (i + 1) * dim));
    return s;
  }

  /** From the arrays `arrays` wrote. */
  static fromArrays(codes: Uint8Array, scale: Float32Array, n: number, dim: number): Int8Store {
    return new Int8Store(new Int8Array(codes.buffer, codes.byteOffset, n * dim), scale, n, dim);
  }

  get bytes(): number {
    return this.n * (this.dim + 4);
  }

  scoreAll(q: Float64Array, out: Float32Array): void {
    const d = this.dim;
    const c = this.codes;
    for (let i = 0; i < out.length; i++) {
      const o = i * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += q[k]! * c[o + k]!;
      out[i] = s * this.scale[i]!;
    }
  }

  /**
   * The first pass: q quantized to int8 (qc = round(q / sq)), out[i] = sq s_i sum_k qc_k c_ik in
   * int32 arithmetic. Extra error over `scoreAll`: at most ||row_i||_1-decoded sq / 2.
   */
  scoreQuantized(q: Float64Array, out: Float32Array, qc: Int32Array = new Int32Array(this.dim)): void {
    const d = this.dim;
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(q[k]!));
    const sq = max > 0 ? max / 127 : 1;
    for (let k = 0; k < d; k++) qc[k] = Math.round(q[k]! / sq);
    const c = this.codes;
    for (let i = 0; i < out.length; i++) {
      const o = i * d;
      let s = 0;
      for (let k = 0; k < d; k++) s = (s + qc[k]! * c[o + k]!) | 0;
      out[i] = s * sq * this.scale[i]!;
    }
  }

  dot(q: Float64Array, i: number): number {
    const d = this.dim;
    const o = i * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += q[k]! * this.codes[o + k]!;
    return s * this.scale[i]!;
  }

  decode(i: number, out: Float32Array | Float64Array): void {
    const s = this.scale[i]!;
    for (let k = 0; k < this.dim; k++) out[k] = this.codes[i * this.dim + k]! * s;
  }

  append(v: ArrayLike<number>): number {
    const d = this.dim;
    this.codes = grow(this.codes, (this.n + 1) * d, (m) => new Int8Array(m));
    this.scale = grow(this.scale, this.n + 1, (m) => new Float32Array(m));
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(v[k]!));
    const s = max > 0 ? max / 127 : 0;
    const o = this.n * d;
    for (let k = 0; k < d; k++) this.codes[o + k] = s > 0 ? Math.round(v[k]! / s) : 0;
    this.scale[this.n] = s;
    return this.n++;
  }

  arrays(prefix: string): Record<string, Float32Array | Uint8Array> {
    const c = this.codes.subarray(0, this.n * this.dim);
    return { [`${prefix}I8`]: new Uint8Array(c.buffer, c.byteOffset, c.byteLength), [`${prefix}I8Scale`]: this.scale.subarray(0, this.n) };
  }
}
