import { Float16Store } from './float16-store.js';
import { Float32Store } from './float32-store.js';
import { Int8Store } from './int8-store.js';
import type { VectorKind, VectorStore } from './vector-store.js';

/** n x dim float32 rows (row-major) in the stored form `kind`. float32 keeps the array (no copy). */
export function encodeVectors(kind: VectorKind, rows: Float32Array, n: number, dim: number): VectorStore {
  if (kind === 'float16') return Float16Store.encode(rows, n, dim);
  if (kind === 'int8') return Int8Store.encode(rows, n, dim);
  return new Float32Store(rows, n, dim);
}

/** The store that `store.arrays(prefix)` wrote, or undefined when those arrays are absent. */
export function vectorsFromArrays(arrays: Record<string, unknown>, prefix: string, n: number, dim: number): VectorStore | undefined {
  const f32 = arrays[`${prefix}F32`];
  if (f32 instanceof Float32Array) return new Float32Store(f32, n, dim);
  const f16 = arrays[`${prefix}F16`];
  if (f16 instanceof Uint8Array) return Float16Store.fromBytes(f16, n, dim);
  const i8 = arrays[`${prefix}I8`];
  const scale = arrays[`${prefix}I8Scale`];
  if (i8 instanceof Uint8Array && scale instanceof Float32Array) return Int8Store.fromArrays(i8, scale, n, dim);
  return undefined;
}

/** All rows decoded to float32 (for the parts of a model that need plain factors: fold-in, training). */
export function decodeAll(store: VectorStore): Float32Array {
  if (store instanceof Float32Store) return store.rows;
  const out = new Float32Array(store.n * store.dim);
  for (let i = 0; i < store.n; i++) store.decode(i, out.subarray(i * store.dim, (i + 1) * store.dim));
  return out;
}

/**
 * The rows of `items` decoded to float32, row t for items[t] (a zero row for an index outside the
 * store): what a model with compressed vectors reads for the few items one computation needs (a
 * history's items in a fold-in or an explanation) instead of keeping every row decoded.
 */
export function gatherRows(store: VectorStore, items: ArrayLike<number>): Float32Array {
  const d = store.dim;
  const out = new Float32Array(items.length * d);
  for (let t = 0; t < items.length; t++) {
    const i = items[t]!;
    if (i >= 0 && i < store.n) store.decode(i, out.subarray(t * d, (t + 1) * d));
  }
  return out;
}
