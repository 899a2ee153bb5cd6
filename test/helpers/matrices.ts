import { Rng } from '../../src/math/rng.js';

/** A seeded m x n row-major matrix with entries uniform in [-1, 1). */
export function randomMatrix(m: number, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: m * n }, () => 2 * rng.next() - 1);
}

/** A seeded SPD n x n matrix: M^T M / n + shift * I. */
export function randomSpd(n: number, seed: number, shift = 0.5): Float64Array {
  const m = randomMatrix(n + 3, n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < n + 3; r++) s += m[r * n + i]! * m[r * n + j]!;
      a[i * n + j] = s / n + (i === j ? shift : 0);
    }
  return a;
}

/** Naive row-major product (m x k) * (k x n). */
export function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * n + j]!;
      c[i * n + j] = s;
    }
  return c;
}

export function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** Largest absolute difference. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
