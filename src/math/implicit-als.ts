import type { SparseRows } from './gram.js';

/** Per-thread scratch for `implicitAlsRows`: the CG vectors and the gathered rows of the other side. */
export interface AlsScratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
  /** the row's observed Y rows gathered contiguously (grown on demand) */
  yu: Float64Array;
  /** per observed column: its weight c - 1 = alpha r */
  w: Float64Array;
}

export function alsScratch(f: number): AlsScratch {
  const v = (): Float64Array => new Float64Array(f);
  return { x: v(), r: v(), p: v(), ap: v(), yu: new Float64Array(0), w: new Float64Array(0) };
}

/**
 * One half-sweep of implicit ALS (Hu, Koren & Volinsky 2008) for rows [from, to) of X, by the conjugate
 * gradient method of Takacs, Pilaszy & Tikk (2011) as in the `implicit` library: for row u with
 * observed columns i (value r_ui, confidence c_ui = 1 + alpha r_ui, preference 1) it runs `cgSteps`
 * CG steps on
 *   (Y^T Y + (reg + regPerEvent n_u) I + sum_i (c_ui - 1) y_i y_i^T) x_u = sum_i c_ui y_i
 * warm-started from the current x_u, never forming the f x f matrix of the row: A p is
 * yty p + sum_i (c_ui - 1) (y_i . p) y_i. `yty` (f x f, full) holds Y^T Y + reg I.
 * Row u's result depends only on its old value, its row of `rows` and on Y, so blocks of rows can run
 * on any threads with identical results. With `binary`, every r_ui is 1.
 *
 * The observed rows of Y are first gathered into one contiguous float64 n_u x f block, on which every
 * CG pass runs four rows at a time (dots and update fused; see weightedRowUpdate): scattered float32
 * rows measured about 2x slower per multiply-add in V8.
 *
 * FLOPs per row with n_u observed columns: (cgSteps + 1) * (2 f^2 + 4 f n_u) + 10 f cgSteps.
 * Bytes moved per row: the gather (4 f n_u read, 8 f n_u written), then (cgSteps + 1) passes over the
 * block (8 f n_u each, from L1/L2 while n_u f fits, else from memory) and over yty (8 f^2, in cache);
 * x_u read and written once (8 f).
 */
export function implicitAlsRows(
  rows: SparseRows,
  xFactors: Float32Array,
  yFactors: Float32Array,
  yty: Float64Array,
  f: number,
  alpha: number,
  cgSteps: number,
  binary: boolean,
  from: number,
  to: number,
  scratch: AlsScratch,
  /** ALS-WR (Zhou et al. 2008): extra ridge per observed column, so row u gets yty's reg + regPerEvent n_u */
  regPerEvent = 0,
): void {
  const indptr = rows.indptr;
  const indices = rows.indices;
  const values = rows.data;
  const X = xFactors;
  const Y = yFactors;
  const G = yty;
  const xs = scratch.x;
  const r = scratch.r;
  const p = scratch.p;
  const ap = scratch.ap;
  for (let u = from; u < to; u++) {
    const start = indptr[u]!;
    const n = indptr[u + 1]! - start;
    if (scratch.w.length < n) {
      const cap = Math.max(n, 2 * scratch.w.length);
      scratch.yu = new Float64Array(cap * f);
      scratch.w = new Float64Array(cap);
    }
    const yu = scratch.yu;
    const w = scratch.w;
    // gather the observed rows of Y once; the CG steps then run on a dense n x f block
    for (let q = 0; q < n; q++) {
      const yo = indices[start + q]! * f;
      const o = q * f;
      for (let k = 0; k < f; k++) yu[o + k] = Y[yo + k]!;
      w[q] = alpha * (binary ? 1 : values[start + q]!);
    }
    const xo = u * f;
    for (let k = 0; k < f; k++) xs[k] = X[xo + k]!;
    // r = b - A x = -yty x + sum_q (c_q - (c_q - 1) y_q . x) y_q
    symMatVec(G, f, xs, r, -1);
    weightedRowUpdate(yu, n, f, xs, w, true, r);
    const extra = regPerEvent * n;
    if (extra !== 0) for (let k = 0; k < f; k++) r[k]! -= extra * xs[k]!;
    let rsOld = 0;
    for (let k = 0; k < f; k++) {
      p[k] = r[k]!;
      rsOld += r[k]! * r[k]!;
    }
    if (rsOld < 1e-20) continue;
    for (let step = 0; step < cgSteps; step++) {
      // ap = A p = yty p + sum_q (c_q - 1) (y_q . p) y_q
      symMatVec(G, f, p, ap, 1);
      weightedRowUpdate(yu, n, f, p, w, false, ap);
      if (extra !== 0) for (let k = 0; k < f; k++) ap[k]! += extra * p[k]!;
      let pAp = 0;
      for (let k = 0; k < f; k++) pAp += p[k]! * ap[k]!;
      if (!(pAp > 0)) break;
      const stepSize = rsOld / pAp;
      let rsNew = 0;
      for (let k = 0; k < f; k++) {
        xs[k]! += stepSize * p[k]!;
        r[k]! -= stepSize * ap[k]!;
        rsNew += r[k]! * r[k]!;
      }
      if (rsNew < 1e-20) break;
      const beta = rsNew / rsOld;
      for (let k = 0; k < f; k++) p[k] = r[k]! + beta * p[k]!;
      rsOld = rsNew;
    }
    for (let k = 0; k < f; k++) X[xo + k] = xs[k]!;
  }
}

/**
 * out += sum_q coef_q y_q over the n rows of the dense n x f block y, with d_q = y_q . v and
 * coef_q = w_q d_q, or (residual form) coef_q = 1 + w_q - w_q d_q. Four rows at a time, the dots and
 * the update fused so the four rows are re-read from L1: about 1.25 loads per multiply-add.
 * FLOPs 4 n f; bytes moved 8 n f (each row read once from memory/L2, once from L1).
 */
function weightedRowUpdate(y: Float64Array, n: number, f: number, v: Float64Array, w: Float64Array, residual: boolean, out: Float64Array): void {
  let q = 0;
  for (; q + 3 < n; q += 4) {
    const o0 = q * f;
    const o1 = o0 + f;
    const o2 = o1 + f;
    const o3 = o2 + f;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < f; k++) {
      const vk = v[k]!;
      s0 += y[o0 + k]! * vk;
      s1 += y[o1 + k]! * vk;
      s2 += y[o2 + k]! * vk;
      s3 += y[o3 + k]! * vk;
    }
    const w0 = w[q]!;
    const w1 = w[q + 1]!;
    const w2 = w[q + 2]!;
    const w3 = w[q + 3]!;
    const c0 = residual ? 1 + w0 - w0 * s0 : w0 * s0;
    const c1 = residual ? 1 + w1 - w1 * s1 : w1 * s1;
    const c2 = residual ? 1 + w2 - w2 * s2 : w2 * s2;
    const c3 = residual ? 1 + w3 - w3 * s3 : w3 * s3;
    for (let k = 0; k < f; k++) out[k]! += c0 * y[o0 + k]! + c1 * y[o1 + k]! + (c2 * y[o2 + k]! + c3 * y[o3 + k]!);
  }
  for (; q < n; q++) {
    const o = q * f;
    let s = 0;
    for (let k = 0; k < f; k++) s += y[o + k]! * v[k]!;
    const wq = w[q]!;
    const c = residual ? 1 + wq - wq * s : wq * s;
    for (let k = 0; k < f; k++) out[k]! += c * y[o + k]!;
  }
}

/** out = sign * (G v) for the f x f matrix G, four rows at a time (four independent chains). */
function symMatVec(g: Float64Array, f: number, v: Float64Array, out: Float64Array, sign: number): void {
  let a = 0;
  for (; a + 3 < f; a += 4) {
    const g0 = a * f;
    const g1 = g0 + f;
    const g2 = g1 + f;
    const g3 = g2 + f;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < f; k++) {
      const vk = v[k]!;
      s0 += g[g0 + k]! * vk;
      s1 += g[g1 + k]! * vk;
      s2 += g[g2 + k]! * vk;
      s3 += g[g3 + k]! * vk;
    }
    out[a] = sign * s0;
    out[a + 1] = sign * s1;
    out[a + 2] = sign * s2;
    out[a + 3] = sign * s3;
  }
  for (; a < f; a++) {
    const go = a * f;
    let s = 0;
    for (let k = 0; k < f; k++) s += g[go + k]! * v[k]!;
    out[a] = sign * s;
  }
}
