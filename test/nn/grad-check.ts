import type { Tensor } from '../../src/nn/params.js';
import type { Tf } from '../../src/nn/tf.js';

/**
 * Central finite differences of a scalar function at x (float32, so eps ~1e-2 keeps the round-off
 * error small next to the truncation error), and the relative error ||a - b|| / (||a|| + ||b||).
 */
export function numericGradient(tf: Tf, f: (x: Tensor) => Tensor, x: Float32Array, shape: number[], eps = 1e-2): Float32Array {
  const g = new Float32Array(x.length);
  const at = (v: Float32Array) => tf.tidy(() => f(tf.tensor(v, shape)).dataSync()[0]!);
  for (let k = 0; k < x.length; k++) {
    const plus = Float32Array.from(x);
    const minus = Float32Array.from(x);
    plus[k]! += eps;
    minus[k]! -= eps;
    g[k] = (at(plus) - at(minus)) / (2 * eps);
  }
  return g;
}

export function analyticGradient(tf: Tf, f: (x: Tensor) => Tensor, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => tf.grad((t: Tensor) => f(t))(tf.tensor(x, shape)).dataSync() as Float32Array);
}

export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    diff += (a[k]! - b[k]!) ** 2;
    na += a[k]! ** 2;
    nb += b[k]! ** 2;
  }
  return Math.sqrt(diff) / (Math.sqrt(na) + Math.sqrt(nb) + 1e-12);
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[k] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
