/**
 * Level-1 vector kernels on row-major typed arrays: x and y are read from offsets, so a row of a
 * matrix is addressed as (matrix, row * cols) without a subarray view.
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * sum_k x[xOff + k] * y[yOff + k] for k < n, accumulated in float64.
 * FLOPs 2n; bytes moved n * (bytes of x + bytes of y) read.
 */
export function dot(n: number, x: FloatArray, xOff: number, y: FloatArray, yOff: number): number {
  let s0 = 0;
  let s1 = 0;
  let k = 0;
  // two accumulators: independent add chains; the order is fixed, so results are reproducible
  for (; k + 1 < n; k += 2) {
    s0 += x[xOff + k]! * y[yOff + k]!;
    s1 += x[xOff + k + 1]! * y[yOff + k + 1]!;
  }
  if (k < n) s0 += x[xOff + k]! * y[yOff + k]!;
  return s0 + s1;
}

/**
 * y[yOff + k] += alpha * x[xOff + k] for k < n.
 * FLOPs 2n; bytes moved: x read once, y read and written once (n * (|x| + 2|y|) bytes).
 */
export function axpy(n: number, alpha: number, x: FloatArray, xOff: number, y: FloatArray, yOff: number): void {
  for (let k = 0; k < n; k++) y[yOff + k]! += alpha * x[xOff + k]!;
}

/**
 * x[xOff + k] *= alpha for k < n.
 * FLOPs n; bytes moved 2n|x| (read and write).
 */
export function scal(n: number, alpha: number, x: FloatArray, xOff = 0): void {
  for (let k = 0; k < n; k++) x[xOff + k]! *= alpha;
}

/**
 * Euclidean norm of x[xOff .. xOff + n), without overflow for the magnitudes we meet (plain sum of squares).
 * FLOPs 2n; bytes moved n|x|.
 */
export function nrm2(n: number, x: FloatArray, xOff = 0): number {
  return Math.sqrt(dot(n, x, xOff, x, xOff));
}
