import type { FloatArray } from './dot.js';
import { KC, MC, packPanel, tileNT } from './gemm.js';

/** The arrays of a CSR matrix (structurally what data/Csr holds); columns sorted within each row. */
export interface SparseRows {
  nRows: number;
  nCols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/**
 * Dense Gram matrix G = X^T X of a row-major m x n matrix X, returned n x n (both triangles filled).
 * Only the lower-triangle tiles are computed (blocked, packed, 4 x 4 micro-kernel), then mirrored.
 * FLOPs about m * n * (n + MC) (half of a general product); bytes moved: X read about n / (2 MC) times
 * as packed panels, G written once (8 n^2 bytes).
 */
export function gramDense(x: FloatArray, m: number, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  out.fill(0);
  const ap = new Float64Array(MC * KC);
  const bp = new Float64Array(MC * KC);
  for (let k0 = 0; k0 < m; k0 += KC) {
    const kc = Math.min(KC, m - k0);
    for (let j0 = 0; j0 < n; j0 += MC) {
      const nb = Math.min(MC, n - j0);
      packPanel(x, n, true, j0, nb, k0, kc, bp);
      for (let i0 = j0; i0 < n; i0 += MC) {
        const mb = Math.min(MC, n - i0);
        if (i0 === j0) ap.set(bp.subarray(0, nb * kc));
        else packPanel(x, n, true, i0, mb, k0, kc, ap);
        tileNT(mb, nb, kc, ap, bp, 1, out, i0 * n + j0, n);
      }
    }
  }
  mirrorLower(out, n);
  return out;
}

/** Copies the lower triangle of a row-major n x n matrix onto its upper triangle. FLOPs 0; bytes 16 n^2. */
export function mirrorLower(a: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i]!;
}

/**
 * Rows [from, to) of the lower triangle of G = X^T X for a sparse X (nRows x nCols, CSR by rows, sorted
 * columns), accumulated into `out` (nCols x nCols, row-major; only entries G[a][b] with b <= a of the
 * given rows are written, so blocks of rows can be filled by different threads). `xT` is X transposed
 * (CSR by columns). Values are binarised when `binary`.
 * FLOPs 2 * sum over rows r of X of nnz_r^2 / 2 (over all blocks); bytes moved: per (column a, row r)
 * pair, the prefix of row r up to a is read (indices + values, 8 bytes per entry) and the matching
 * entries of out row a read and written (16 bytes per entry).
 */
export function gramSparseRows(
  x: SparseRows,
  xT: SparseRows,
  out: Float64Array,
  from: number,
  to: number,
  binary = false,
): void {
  const n = x.nCols;
  const xPtr = x.indptr;
  const xIdx = x.indices;
  const xVal = x.data;
  const tPtr = xT.indptr;
  const tIdx = xT.indices;
  const tVal = xT.data;
  for (let a = from; a < to; a++) {
    const row = a * n;
    for (let q = tPtr[a]!; q < tPtr[a + 1]!; q++) {
      const r = tIdx[q]!;
      const end = xPtr[r + 1]!;
      if (binary) {
        for (let p = xPtr[r]!; p < end; p++) {
          const b = xIdx[p]!;
          if (b > a) break;
          out[row + b]! += 1;
        }
      } else {
        const v = tVal[q]!;
        for (let p = xPtr[r]!; p < end; p++) {
          const b = xIdx[p]!;
          if (b > a) break;
          out[row + b]! += v * xVal[p]!;
        }
      }
    }
  }
}

/**
 * G = X^T X for a sparse X, n x n with both triangles (n = X's column count), in one thread.
 * FLOPs and bytes as `gramSparseRows` over all rows, plus the mirror (16 n^2 bytes).
 */
export function gramSparse(x: SparseRows, xT: SparseRows, binary = false): Float64Array {
  const n = x.nCols;
  const out = new Float64Array(n * n);
  gramSparseRows(x, xT, out, 0, n, binary);
  mirrorLower(out, n);
  return out;
}
