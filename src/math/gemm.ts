import type { FloatArray } from './dot.js';

/**
 * Blocked dense matrix products on row-major arrays, built on one register-blocked micro-kernel that
 * computes a 4 x 4 tile of A * B^T from two packed float64 panels whose rows run along the shared
 * dimension (16 accumulators, 8 loads per 16 multiply-adds). Packing keeps the kernel monomorphic
 * (always Float64Array) whatever the caller's element type, and sized so both panels stay in L2.
 *
 * Every entry of the result is summed in the same order (k ascending within a KC block, blocks in
 * order) whatever its position in a tile, so results do not depend on blocking or thread splits.
 */

/** Shared-dimension block (doubles per packed row). */
export const KC = 128;
/** Rows of op(A) and of op(B)^T per packed panel. */
export const MC = 64;

/**
 * Packs rows [r0, r0 + rows) x shared dims [k0, k0 + kc) of op(M) into `out` (rows x kc, row-major).
 * op(M) is M (rows along M's rows, ld = row length) or M^T when `trans` (rows along M's columns).
 */
export function packPanel(
  m: FloatArray,
  ld: number,
  trans: boolean,
  r0: number,
  rows: number,
  k0: number,
  kc: number,
  out: Float64Array,
): void {
  if (!trans) {
    for (let r = 0; r < rows; r++) {
      const src = (r0 + r) * ld + k0;
      const dst = r * kc;
      for (let k = 0; k < kc; k++) out[dst + k] = m[src + k]!;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      const src = (k0 + k) * ld + r0;
      for (let r = 0; r < rows; r++) out[r * kc + k] = m[src + r]!;
    }
  }
}

/**
 * C[cOff + i * ldc + j] += alpha * sum_k ap[i * kc + k] * bp[j * kc + k] for i < mb, j < nb.
 * FLOPs 2 * mb * nb * kc; bytes moved: each panel read about max(mb, nb) / 4 times from cache
 * (8 * kc * (mb + nb) * 4 / 4 bytes), C read and written once (2 * mb * nb * |C| bytes).
 */
export function tileNT(
  mb: number,
  nb: number,
  kc: number,
  ap: Float64Array,
  bp: Float64Array,
  alpha: number,
  c: FloatArray,
  cOff: number,
  ldc: number,
): void {
  let i = 0;
  for (; i + 3 < mb; i += 4) {
    const a0 = i * kc;
    const a1 = a0 + kc;
    const a2 = a1 + kc;
    const a3 = a2 + kc;
    let j = 0;
    for (; j + 3 < nb; j += 4) {
      const b0 = j * kc;
      const b1 = b0 + kc;
      const b2 = b1 + kc;
      const b3 = b2 + kc;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < kc; k++) {
        const x0 = ap[a0 + k]!;
        const x1 = ap[a1 + k]!;
        const x2 = ap[a2 + k]!;
        const x3 = ap[a3 + k]!;
        let y = bp[b0 + k]!;
        s00 += x0 * y; s10 += x1 * y; s20 += x2 * y; s30 += x3 * y;
        y = bp[b1 + k]!;
        s01 += x0 * y; s11 += x1 * y; s21 += x2 * y; s31 += x3 * y;
        y = bp[b2 + k]!;
        s02 += x0 * y; s12 += x1 * y; s22 += x2 * y; s32 += x3 * y;
        y = bp[b3 + k]!;
        s03 += x0 * y; s13 += x1 * y; s23 += x2 * y; s33 += x3 * y;
      }
      const r0 = cOff + i * ldc + j;
      const r1 = r0 + ldc;
      const r2 = r1 + ldc;
      const r3 = r2 + ldc;
      c[r0]! += alpha * s00; c[r0 + 1]! += alpha * s01; c[r0 + 2]! += alpha * s02; c[r0 + 3]! += alpha * s03;
      c[r1]! += alpha * s10; c[r1 + 1]! += alpha * s11; c[r1 + 2]! += alpha * s12; c[r1 + 3]! += alpha * s13;
      c[r2]! += alpha * s20; c[r2 + 1]! += alpha * s21; c[r2 + 2]! += alpha * s22; c[r2 + 3]! += alpha * s23;
      c[r3]! += alpha * s30; c[r3 + 1]! += alpha * s31; c[r3 + 2]! += alpha * s32; c[r3 + 3]! += alpha * s33;
    }
    for (; j < nb; j++) {
      const b0 = j * kc;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < kc; k++) {
        const y = bp[b0 + k]!;
        s0 += ap[a0 + k]! * y; s1 += ap[a1 + k]! * y; s2 += ap[a2 + k]! * y; s3 += ap[a3 + k]! * y;
      }
      const r0 = cOff + i * ldc + j;
      c[r0]! += alpha * s0; c[r0 + ldc]! += alpha * s1; c[r0 + 2 * ldc]! += alpha * s2; c[r0 + 3 * ldc]! += alpha * s3;
    }
  }
  for (; i < mb; i++) {
    const a0 = i * kc;
    for (let j = 0; j < nb; j++) {
      const b0 = j * kc;
      let s = 0;
      for (let k = 0; k < kc; k++) s += ap[a0 + k]! * bp[b0 + k]!;
      c[cOff + i * ldc + j]! += alpha * s;
    }
  }
}

/**
 * General matrix product C = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k, op(B) is
 * k x n, C is m x n. `transA`: A is stored k x m; `transB`: B is stored n x k.
 * FLOPs 2mnk (+ mn for beta); bytes moved: A read ceil(n / MC) times, B read ceil(m / MC) times
 * (8-byte packed copies), C read and written ceil(k / KC) times.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: FloatArray,
  b: FloatArray,
  beta: number,
  c: FloatArray,
  transA = false,
  transB = false,
): void {
  if (beta !== 1) for (let t = 0; t < m * n; t++) c[t] = beta === 0 ? 0 : beta * c[t]!;
  if (alpha === 0 || k === 0) return;
  const ap = new Float64Array(MC * KC);
  const bp = new Float64Array(MC * KC);
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let j0 = 0; j0 < n; j0 += MC) {
      const nb = Math.min(MC, n - j0);
      // op(B)^T rows are op(B)'s columns: B's rows when transB, else B's columns (packed transposed)
      packPanel(b, ldb, !transB, j0, nb, k0, kc, bp);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mb = Math.min(MC, m - i0);
        packPanel(a, lda, transA, i0, mb, k0, kc, ap);
        tileNT(mb, nb, kc, ap, bp, alpha, c, i0 * n + j0, n);
      }
    }
  }
}
