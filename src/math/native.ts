import { createRequire } from 'node:module';

/**
 * The native numeric core (native/*.cc, built from source at install by node-gyp into
 * build/Release/unirec_native.node): AVX2 + FMA kernels with a generic x86-64 fallback chosen at load
 * time from the CPU, threaded with std::thread over independent rows (any thread count gives the same
 * bits). The scalar JS kernels of this folder are the reference it is tested against and the fallback:
 * `native()` is undefined when the addon did not build or `UNIREC_NATIVE=0` is set, and every caller
 * then takes the JS path. `UNIREC_NATIVE_PATH` loads the addon from another file (read once per
 * process). Arrays are checked (type, length, index ranges) on the native side.
 */
export interface NativeCore {
  /** 'avx2-fma' or 'generic' */
  readonly isa: string;
  /** C = alpha op(A) op(B) + beta C (row-major float64; op(A) m x k, op(B) k x n), rows split over threads. */
  dgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number, threads: number,
  ): void;
  /** The float32 form of dgemm. */
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number, threads: number,
  ): void;
  /** In-place inverse of an SPD n x n matrix (lower triangle read, full result); RangeError when not SPD. */
  spdInverse(a: Float64Array, n: number, threads: number): void;
  /** out = X^T X (n x n, both triangles) from X by rows (nRows x n) and by columns. */
  gramSparse(
    xPtr: Int32Array, xIdx: Int32Array, xVal: Float32Array, tPtr: Int32Array, tIdx: Int32Array, tVal: Float32Array,
    nRows: number, n: number, binary: boolean, out: Float64Array, threads: number,
  ): void;
  /** implicitAlsRows (math/implicit-als.ts) for rows [from, to), in place in x. */
  alsRows(
    indptr: Int32Array, indices: Int32Array, data: Float32Array, x: Float32Array, y: Float32Array, yty: Float64Array,
    f: number, alpha: number, cgSteps: number, binary: boolean, regPerEvent: number, from: number, to: number, nYRows: number,
    threads: number,
  ): void;
  /** out[t, :] = sum over CSR row rows[t] of value * B[column, :] (B nBRows x ncols, float32). */
  spmmRows(
    indptr: Int32Array, indices: Int32Array, data: Float32Array, binary: boolean, b: Float32Array, nBRows: number,
    ncols: number, rows: Int32Array, out: Float32Array, threads: number,
  ): void;
  /** One SGD epoch of biased MF (models/mf.ts) over the ratings in `order`. */
  mfEpoch(
    order: Int32Array, users: Int32Array, items: Int32Array, values: Float32Array, p: Float32Array, q: Float32Array,
    bu: Float32Array, bi: Float32Array, f: number, mu: number, lr: number, reg: number, biased: boolean, nUsers: number, nItems: number,
  ): void;
  /**
   * One hybrid-mf epoch (the loop of HybridMf.train) over the events in `order`, drawing from the
   * xoshiro128** state `rng` (Rng.getState; advanced in place): WARP or BPR, optimizer 0 adagrad,
   * 1 adadelta, 2 sgd. Bit-identical to the JS loop. Returns the summed loss.
   */
  hybridEpoch(
    order: Int32Array, userOf: Int32Array, histPtr: Int32Array, histIdx: Int32Array,
    ucPtr: Int32Array, ucIdx: Int32Array, ucVal: Float32Array, icPtr: Int32Array, icIdx: Int32Array, icVal: Float32Array,
    userEmb: Float32Array, itemEmb: Float32Array, itemBias: Float32Array,
    accUser: Float32Array, accItem: Float32Array, accBias: Float32Array, momUser: Float32Array, momItem: Float32Array, momBias: Float32Array,
    f: number, nItems: number, warp: boolean, optimizer: number, lr: number, rho: number, eps: number, reg: number,
    maxSampled: number, warpWeight: Float64Array, rng: Uint32Array,
  ): number;
  /**
   * One bpr epoch: SGD (adam false: nnz triples drawn with replacement) or mini-batch dense Adam over the
   * events in `order` (`rates` holds [rate, eps] per batch). Same draws as the JS loop; floats to a
   * tolerance (exp and summation order). Returns the summed loss.
   */
  bprEpoch(
    adam: boolean, order: Int32Array, userOf: Int32Array, histPtr: Int32Array, histIdx: Int32Array,
    x: Float32Array, y: Float32Array, b: Float32Array, cdf: Float64Array, itemBias: boolean, lr: number, reg: number,
    f: number, nUsers: number, nItems: number, batchSize: number,
    gX: Float32Array, gY: Float32Array, gB: Float32Array, mX: Float32Array, mY: Float32Array, mB: Float32Array,
    vX: Float32Array, vY: Float32Array, vB: Float32Array, rates: Float64Array, rng: Uint32Array,
  ): number;
  /** One svdpp epoch (the loop of Svdpp.fit) over the users in `userOrder`; bit-identical to the JS loop. */
  svdppEpoch(
    userOrder: Int32Array, ratingOrder: Int32Array, indptr: Int32Array, indices: Int32Array, data: Float32Array,
    p: Float32Array, q: Float32Array, y: Float32Array, bu: Float32Array, bi: Float32Array,
    f: number, nItems: number, mu: number, lr: number, reg: number, rng: Uint32Array,
  ): void;
  /** cosineNeighbourRows (math/knn.ts) for every row of m, rows split over threads; the same output. */
  knnRows(
    mPtr: Int32Array, mIdx: Int32Array, mVal: Float32Array, tPtr: Int32Array, tIdx: Int32Array, tVal: Float32Array,
    nRows: number, nCols: number, norms: Float64Array, k: number, shrink: number,
    outIdx: Int32Array, outSim: Float32Array, outLen: Int32Array, threads: number,
  ): void;
  /**
   * Softmax cross-entropy of the rows of an n x c logits matrix against `targets`, in place: each row
   * becomes (softmax - one-hot(target)) * scale (the logits' gradient); returns the sum of the rows'
   * log sum_j exp(x_j) - x_target. Rows split over threads (the same result for any thread count).
   */
  softmaxXent(logits: Float32Array, n: number, c: number, targets: Int32Array, scale: number, threads: number): number;
  /** [seconds, FLOPs] of `reps` passes of 12 independent 4-wide float64 FMA chains on each of `threads` threads. */
  fmaPeak(reps: number, threads: number): [number, number];
}

let loaded: NativeCore | null | undefined;
let loadError = '';

function load(): NativeCore | null {
  if (loaded !== undefined) return loaded;
  try {
    // dist/src/math/native.js -> <package>/build/Release (node-gyp's output); UNIREC_NATIVE_PATH overrides it
    const require = createRequire(import.meta.url);
    loaded = require(process.env.UNIREC_NATIVE_PATH || '../../../build/Release/unirec_native.node') as NativeCore;
  } catch (err) {
    loaded = null;
    loadError = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
  return loaded;
}

/** True when UNIREC_NATIVE is set to 0 / false / off: every kernel takes the JS path. */
function disabled(): boolean {
  const v = process.env.UNIREC_NATIVE;
  return v !== undefined && ['0', 'false', 'off', 'no'].includes(v.toLowerCase());
}

/** The native core, or undefined (not built, failed to load, or disabled by UNIREC_NATIVE=0). Read at each call. */
export function native(): NativeCore | undefined {
  if (disabled()) return undefined;
  return load() ?? undefined;
}

/** What the kernels run on, for reports: 'native avx2-fma', 'native generic', or 'js (reason)'. */
export function nativeStatus(): string {
  if (disabled()) return 'js (UNIREC_NATIVE=0)';
  const n = load();
  return n ? `native ${n.isa}` : `js (native core not built: ${loadError})`;
}
