import { topK, type TopK } from './topk.js';

/**
 * Helpers for latent-factor models whose items are rows of an n x f row-major Float32Array.
 */

/** out[i] = x[xo .. xo + f) . m_i for every row i (out.length rows). FLOPs 2 f n; bytes 4 f n. */
export function scoreRows(m: Float32Array, f: number, x: Float32Array | Float64Array, xo: number, out: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const mo = i * f;
    let s0 = 0;
    let s1 = 0;
    let k = 0;
    for (; k + 1 < f; k += 2) {
      s0 += x[xo + k]! * m[mo + k]!;
      s1 += x[xo + k + 1]! * m[mo + k + 1]!;
    }
    if (k < f) s0 += x[xo + k]! * m[mo + k]!;
    out[i] = s0 + s1;
  }
}

/** Euclidean norm of each of the n rows. FLOPs 2 f n; bytes 4 f n. */
export function rowNorms(m: Float32Array, n: number, f: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < f; k++) s += m[i * f + k]! ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** The k rows with the highest cosine to row `item` (itself excluded), best first. FLOPs 2 f n + top-k. */
export function cosineNeighboursOfRow(m: Float32Array, n: number, f: number, norms: Float32Array, item: number, k: number): TopK {
  const sims = new Float32Array(n);
  scoreRows(m, f, m, item * f, sims);
  const ni = norms[item]!;
  for (let i = 0; i < n; i++) sims[i] = i === item ? -Infinity : sims[i]! / (ni * norms[i]! + 1e-12);
  return topK(sims, k);
}
