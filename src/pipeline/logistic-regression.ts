import { solveSpd } from '../math/cholesky.js';

/**
 * L2-penalised logistic regression by Newton's method: x is n x d (row-major), y in {0, 1}; returns d
 * weights and the intercept last. FLOPs per step n (d+1)^2 for the Hessian, (d+1)^3 / 3 for the solve.
 */
export function logisticRegression(x: Float64Array, y: Float64Array, d: number, l2: number, steps = 25): Float64Array {
  const n = y.length;
  const D = d + 1;
  const beta = new Float64Array(D);
  const row = new Float64Array(D);
  for (let step = 0; step < steps; step++) {
    const grad = new Float64Array(D);
    const hess = new Float64Array(D * D);
    for (let t = 0; t < n; t++) {
      for (let a = 0; a < d; a++) row[a] = x[t * d + a]!;
      row[d] = 1;
      let z = 0;
      for (let a = 0; a < D; a++) z += beta[a]! * row[a]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = p - y[t]!;
      const h = p * (1 - p);
      for (let a = 0; a < D; a++) {
        grad[a]! += g * row[a]!;
        for (let b = 0; b < D; b++) hess[a * D + b]! += h * row[a]! * row[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      grad[a]! += l2 * beta[a]!;
      hess[a * D + a]! += l2;
    }
    hess[d * D + d]! += 1e-9;
    const delta = solveSpd(hess, D, grad);
    let change = 0;
    for (let a = 0; a < D; a++) {
      beta[a]! -= delta[a]!;
      change = Math.max(change, Math.abs(delta[a]!));
    }
    if (change < 1e-8) break;
  }
  return beta;
}
