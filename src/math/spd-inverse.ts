import { cholesky, choleskyInverse } from './cholesky.js';
import { tileNT } from './gemm.js';

/**
 * Inverse of a large symmetric positive definite matrix by the blocked symmetric sweep (Gauss-Jordan
 * without pivoting, which SPD matrices do not need). With the pivot block K of width nb and its current
 * inverse D = A_KK^-1, one step sets, for all i, j outside K:
 *   A_iK <- A_iK D,   A_ij <- A_ij - A_iK D A_Kj,   A_KK <- -D
 * and after a step on every block the matrix holds -A^-1 (the sweep operator of Goodnight 1979,
 * applied a block at a time). Only the lower triangle is kept. Each step is a rank-nb update of the
 * whole lower triangle done with the 4 x 4 micro-kernel of gemm.ts, and every row tile of a step is
 * independent of the others, so tiles can be split across threads (`sweepUpdateTiles`) with results
 * identical to the single-threaded ones.
 *
 * FLOPs n^3 (+ 2 n^2 nb for the A_iK D products); bytes moved: the lower triangle read and written
 * once per step (8 n^2 bytes, n / nb steps), the n x nb panel from cache.
 */

/** Width of a pivot block and of the row/column tiles of the update. */
export const SWEEP_TILE = 64;

/**
 * Step prologue: gathers the pivot columns K = [p0, p0 + nb) of the symmetric matrix (lower storage)
 * into `panel` (n x nb, row-major) and puts D = A_KK^-1 in `d` (nb x nb, full).
 * FLOPs 2 nb^3 + nb^3 / 3; bytes moved 16 n nb.
 */
export function sweepPrepare(a: Float64Array, n: number, p0: number, nb: number, panel: Float64Array, d: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const out = i * nb;
    if (i >= p0 + nb) {
      const src = i * n + p0;
      for (let c = 0; c < nb; c++) panel[out + c] = a[src + c]!;
    } else if (i < p0) {
      for (let c = 0; c < nb; c++) panel[out + c] = a[(p0 + c) * n + i]!;
    } else {
      for (let c = 0; c < nb; c++) panel[out + c] = p0 + c <= i ? a[i * n + p0 + c]! : a[(p0 + c) * n + i]!;
    }
  }
  const l = panel.slice(p0 * nb, (p0 + nb) * nb);
  cholesky(l, nb);
  choleskyInverse(l, nb, d);
}

/**
 * The bulk of a step for row tiles [tileFrom, tileTo): for each row tile outside K, T = panel_rows D,
 * then every lower tile (j tile <= i tile, outside K) gets A_ij -= T_i . panel_j, and T goes back into
 * the pivot columns. Reads only `panel` and `d`, writes only its own rows (and their pivot-column
 * entries), so disjoint tile ranges may run at the same time. `scratch` holds SWEEP_TILE * nb doubles.
 * FLOPs about 2 nb * (rows of the range) * (their mean index) + 2 nb^2 * rows.
 */
export function sweepUpdateTiles(
  a: Float64Array,
  n: number,
  p0: number,
  nb: number,
  panel: Float64Array,
  d: Float64Array,
  tileFrom: number,
  tileTo: number,
  scratch: Float64Array,
): void {
  const pivotTile = p0 / SWEEP_TILE;
  for (let ti = tileFrom; ti < tileTo; ti++) {
    if (ti === pivotTile) continue;
    const i0 = ti * SWEEP_TILE;
    const mb = Math.min(SWEEP_TILE, n - i0);
    const t = scratch.subarray(0, mb * nb);
    t.fill(0);
    // T = panel[i0 .. i0 + mb) D  (D symmetric, so its rows serve as the columns of D)
    tileNT(mb, nb, nb, panel.subarray(i0 * nb), d, 1, t, 0, nb);
    for (let tj = 0; tj <= ti; tj++) {
      if (tj === pivotTile) continue;
      const j0 = tj * SWEEP_TILE;
      const jb = Math.min(SWEEP_TILE, n - j0);
      tileNT(mb, jb, nb, t, panel.subarray(j0 * nb), -1, a, i0 * n + j0, n);
    }
    // A_iK <- T (row i's pivot-column entries live in row i when i > K, in the rows of K when i < K)
    for (let r = 0; r < mb; r++) {
      const i = i0 + r;
      if (i > p0) {
        const dst = i * n + p0;
        for (let c = 0; c < nb; c++) a[dst + c] = t[r * nb + c]!;
      } else {
        for (let c = 0; c < nb; c++) a[(p0 + c) * n + i] = t[r * nb + c]!;
      }
    }
  }
}

/** Step epilogue: A_KK <- -D (lower triangle). FLOPs 0; bytes moved 8 nb^2. */
export function sweepFinish(a: Float64Array, n: number, p0: number, nb: number, d: Float64Array): void {
  for (let r = 0; r < nb; r++) for (let c = 0; c <= r; c++) a[(p0 + r) * n + p0 + c] = -d[r * nb + c]!;
}

/** After all steps: A holds -A^-1 in its lower triangle; negate it and fill the upper triangle. Bytes 16 n^2. */
export function sweepComplete(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const v = -a[ri + j]!;
      a[ri + j] = v;
      a[j * n + i] = v;
    }
  }
}

/** Number of row tiles of an n x n sweep. */
export function sweepTiles(n: number): number {
  return Math.ceil(n / SWEEP_TILE);
}

/**
 * Inverts an SPD n x n row-major matrix in place (only its lower triangle is read; the result is full
 * and symmetric), in one thread. Throws a RangeError when the matrix is not positive definite.
 * FLOPs n^3; bytes moved 16 n^3 / SWEEP_TILE (the triangle once per step).
 */
export function spdInverse(a: Float64Array, n: number): void {
  const nb0 = Math.min(SWEEP_TILE, n);
  const panel = new Float64Array(n * nb0);
  const d = new Float64Array(nb0 * nb0);
  const scratch = new Float64Array(SWEEP_TILE * nb0);
  const tiles = sweepTiles(n);
  for (let p0 = 0; p0 < n; p0 += SWEEP_TILE) {
    const nb = Math.min(SWEEP_TILE, n - p0);
    const pan = panel.subarray(0, n * nb);
    const dd = d.subarray(0, nb * nb);
    sweepPrepare(a, n, p0, nb, pan, dd);
    sweepUpdateTiles(a, n, p0, nb, pan, dd, 0, tiles, scratch);
    sweepFinish(a, n, p0, nb, dd);
  }
  sweepComplete(a, n);
}
