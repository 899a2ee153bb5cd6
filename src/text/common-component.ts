import { normalizeVectors } from './encoder.js';

/**
 * SIF's second step (Arora et al. 2017): remove from every text vector its projection on the first
 * principal component of the collection (the direction all averages share: syntax, frequent words),
 * then renormalise. Vectors are row-major n x dim; changed in place. The component is found by power
 * iteration on X^T X (uncentred, as in the paper), 50 steps from a fixed start: deterministic.
 * FLOPs about 4 n dim per step.
 */
export function removeCommonComponent(vectors: Float32Array, dim: number, steps = 50): Float32Array {
  const n = vectors.length / dim;
  if (n < 2) return vectors;
  const u = new Float64Array(dim).fill(1 / Math.sqrt(dim));
  const next = new Float64Array(dim);
  for (let step = 0; step < steps; step++) {
    next.fill(0);
    for (let r = 0; r < n; r++) {
      const o = r * dim;
      let p = 0;
      for (let k = 0; k < dim; k++) p += vectors[o + k]! * u[k]!;
      for (let k = 0; k < dim; k++) next[k]! += p * vectors[o + k]!;
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += next[k]! * next[k]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return vectors;
    for (let k = 0; k < dim; k++) u[k] = next[k]! / norm;
  }
  for (let r = 0; r < n; r++) {
    const o = r * dim;
    let p = 0;
    for (let k = 0; k < dim; k++) p += vectors[o + k]! * u[k]!;
    for (let k = 0; k < dim; k++) vectors[o + k]! -= p * u[k]!;
  }
  return normalizeVectors(vectors, dim);
}
