import type { FloatArray } from './dot.js';

/** Scratch vectors for `conjugateGradient`, reusable across calls of the same size. */
export interface CgScratch {
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

export function cgScratch(n: number): CgScratch {
  return { r: new Float64Array(n), p: new Float64Array(n), ap: new Float64Array(n) };
}

/**
 * Conjugate gradient for a small dense SPD system A x = b (A n x n row-major, full symmetric), warm
 * started from the x given, for at most `steps` iterations or until |r|^2 < tol. Updates x in place and
 * returns the number of steps taken. In exact arithmetic n steps solve the system; a few steps from a
 * good start (the previous iterate of an alternating method) get most of the way (Takacs et al. 2011).
 * FLOPs per step 2 n^2 (the product A p) + 10 n; bytes moved per step 8 n^2 (A read once) + O(n).
 */
export function conjugateGradient(
  a: FloatArray,
  n: number,
  b: FloatArray,
  x: FloatArray,
  steps: number,
  tol = 1e-20,
  scratch: CgScratch = cgScratch(n),
): number {
  const { r, p, ap } = scratch;
  // r = b - A x
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = 0;
    for (let k = 0; k < n; k++) s += a[ri + k]! * x[k]!;
    r[i] = b[i]! - s;
  }
  let rsOld = 0;
  for (let i = 0; i < n; i++) {
    p[i] = r[i]!;
    rsOld += r[i]! * r[i]!;
  }
  if (rsOld < tol) return 0;
  let step = 0;
  while (step < steps) {
    step++;
    let pAp = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = 0; k < n; k++) s += a[ri + k]! * p[k]!;
      ap[i] = s;
      pAp += p[i]! * s;
    }
    if (!(pAp > 0)) break;
    const alpha = rsOld / pAp;
    let rsNew = 0;
    for (let i = 0; i < n; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * ap[i]!;
      rsNew += r[i]! * r[i]!;
    }
    if (rsNew < tol) break;
    const beta = rsNew / rsOld;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
    rsOld = rsNew;
  }
  return step;
}
