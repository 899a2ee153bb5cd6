import type { FloatArray } from './dot.js';

/**
 * Cholesky factorisation A = L L^T of a symmetric positive definite n x n row-major matrix, in place:
 * on return the lower triangle (diagonal included) holds L and the strict upper triangle is zeroed.
 * Only the lower triangle of A is read. Row-oriented (Cholesky-Banachiewicz): every inner product
 * runs along two contiguous rows. Throws a RangeError when a pivot is not positive (A not SPD).
 * FLOPs n^3 / 3 (+ n square roots); bytes moved: each row i re-reads rows 0..i of L once per entry
 * pair, about 8 n^3 / 6 bytes from cache for n up to a few hundred (the sizes it is meant for).
 */
export function cholesky(a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (j === i) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${s})`);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
}

/**
 * Solves A X = B given the Cholesky factor L of A (lower triangle of `l`), in place in `b`, which holds
 * `nrhs` right-hand sides as an n x nrhs row-major matrix (a plain vector when nrhs = 1).
 * Forward substitution L Y = B, then back substitution L^T X = Y, both along contiguous rows of L.
 * FLOPs 2 n^2 nrhs; bytes moved: L read twice (8 n^2 bytes for float64), B read and written 2n times
 * per right-hand side row entry from cache.
 */
export function choleskySolve(l: FloatArray, n: number, b: FloatArray, nrhs = 1): void {
  // L Y = B: row i of Y = (B_i - sum_{k<i} L_ik Y_k) / L_ii
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * nrhs;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k]!;
      if (lik === 0) continue;
      const bk = k * nrhs;
      for (let c = 0; c < nrhs; c++) b[bi + c]! -= lik * b[bk + c]!;
    }
    const d = 1 / l[ri + i]!;
    for (let c = 0; c < nrhs; c++) b[bi + c]! *= d;
  }
  // L^T X = Y, from the last row up: X_i = Y_i / L_ii, then Y_k -= L_ik X_i for k < i (row i of L)
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const bi = i * nrhs;
    const d = 1 / l[ri + i]!;
    for (let c = 0; c < nrhs; c++) b[bi + c]! *= d;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k]!;
      if (lik === 0) continue;
      const bk = k * nrhs;
      for (let c = 0; c < nrhs; c++) b[bk + c]! -= lik * b[bi + c]!;
    }
  }
}

/**
 * Inverse of an SPD matrix from its Cholesky factor L: out = (L L^T)^-1, n x n full symmetric.
 * Solves against the identity (n right-hand sides at once, so L is streamed twice, not 2n times).
 * FLOPs 2 n^3; bytes moved 16 n^2 (L) plus the n x n right-hand side kept in cache for small n.
 * For large n use `spdInverse` (blocked, n^3 FLOPs).
 */
export function choleskyInverse(l: FloatArray, n: number, out: FloatArray = new Float64Array(n * n)): FloatArray {
  out.fill(0);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  choleskySolve(l, n, out, n);
  return out;
}

/**
 * Solves the SPD system A x = b for one right-hand side without touching A: copies A, factors the copy,
 * solves in place in a copy of b. FLOPs n^3 / 3 + 2 n^2; bytes moved 8 n^2 for the copy plus the factor.
 */
export function solveSpd(a: FloatArray, n: number, b: FloatArray): Float64Array {
  const l = Float64Array.from(a);
  cholesky(l, n);
  const x = Float64Array.from(b);
  choleskySolve(l, n, x);
  return x;
}
