import { FLOAT16_TABLE, toFloat16 } from './float16.js';
import { grow, type VectorStore } from './vector-store.js';

/**
 * Rows as IEEE binary16 (2 dim bytes per row, half of float32). Scores read the codes through a
 * decode table: q . row_i differs from the float32 score by at most sum_k |q_k| |y_ik| 2^-11 for
 * normal-range values (the relative rounding of each element).
 */
export class Float16Store implements VectorStore {
  readonly kind = 'float16';
  private codes: Uint16Array;

  constructor(
    codes: Uint16Array,
    public n: number,
    readonly dim: number,
  ) {
    this.codes = codes;
  }

  static encode(rows: Float32Array, n: number, dim: number): Float16Store {
    const codes = new Uint16Array(n * dim);
    for (let t = 0; t < n * dim; t++) codes[t] = toFloat16(rows[t]!);
    return new Float16Store(codes, n, dim);
  }

  /** From the bytes `arrays` wrote. */
  static fromBytes(bytes: Uint8Array, n: number, dim: number): Float16Store {
    const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
    return new Float16Store(new Uint16Array(aligned.buffer, aligned.byteOffset, n * dim), n, dim);
  }

  get bytes(): number {
    return this.n * this.dim * 2;
  }

  scoreAll(q: Float64Array, out: Float32Array): void {
    const d = this.dim;
    const c = this.codes;
    const t = FLOAT16_TABLE;
    for (let i = 0; i < out.length; i++) {
      const o = i * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += q[k]! * t[c[o + k]!]!;
      out[i] = s;
    }
  }

  dot(q: Float64Array, i: number): number {
    const d = this.dim;
    const o = i * d;
    let s = 0;
    for (let k = 0; k < d; k++) s += q[k]! * FLOAT16_TABLE[this.codes[o + k]!]!;
    return s;
  }

  decode(i: number, out: Float32Array | Float64Array): void {
    for (let k = 0; k < this.dim; k++) out[k] = FLOAT16_TABLE[this.codes[i * this.dim + k]!]!;
  }

  append(v: ArrayLike<number>): number {
    this.codes = grow(this.codes, (this.n + 1) * this.dim, (m) => new Uint16Array(m));
    for (let k = 0; k < this.dim; k++) this.codes[this.n * this.dim + k] = toFloat16(v[k]!);
    return this.n++;
  }

  arrays(prefix: string): Record<string, Uint8Array> {
    const c = this.codes.subarray(0, this.n * this.dim);
    return { [`${prefix}F16`]: new Uint8Array(c.buffer, c.byteOffset, c.byteLength) };
  }
}
