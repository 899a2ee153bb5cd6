/**
 * Item (or user) vectors as a retrieval index reads them: n rows of `dim` numbers, stored as float32,
 * float16 or int8 with a per-row scale. Every store scores on its own stored form (no decoded copy);
 * `dot` of one row is what an exact re-rank of a few candidates uses.
 */
export type VectorKind = 'float32' | 'float16' | 'int8';

export interface VectorStore {
  readonly kind: VectorKind;
  /** rows held (grows with `append`) */
  readonly n: number;
  readonly dim: number;
  /** resident bytes of the stored vectors (codes + scales) */
  readonly bytes: number;
  /** out[i] = q . row_i for i < out.length (<= n), on the stored form. FLOPs 2 dim out.length. */
  scoreAll(q: Float64Array, out: Float32Array): void;
  /** q . row_i on the stored form */
  dot(q: Float64Array, i: number): number;
  /** row i decoded into out[0 .. dim) */
  decode(i: number, out: Float32Array | Float64Array): void;
  /** adds a row (an item added after training); returns its index */
  append(v: ArrayLike<number>): number;
  /** the stored form as artifact arrays, names prefixed */
  arrays(prefix: string): Record<string, Float32Array | Uint8Array>;
}

/** The query as the float64 scratch the scoring loops read (one element type in the hot loop). */
export function queryOf(x: ArrayLike<number>, offset: number, dim: number, out: Float64Array = new Float64Array(dim)): Float64Array {
  for (let k = 0; k < dim; k++) out[k] = x[offset + k]!;
  return out;
}

/** Capacity doubling for stores that append rows. */
export function grow<T extends Float32Array | Int8Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2, 16));
  b.set(a);
  return b;
}
