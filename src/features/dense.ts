import { Csr } from '../data/csr.js';
import type { FeatureBlock } from './block.js';

/**
 * A block of dense vectors (text-encoder vectors of item texts) in the sparse feature format, so it
 * joins genres and tags in one item matrix: each row's nonzero components, features named
 * "<label> #k". The components mean nothing one by one; content explanations report the block as a
 * whole ("similar text").
 */
export const TEXT_VECTOR_COLUMN = 'text vector';

export function denseBlock(column: string, vectors: Float32Array, dim: number, label = column): FeatureBlock {
  const n = vectors.length / dim;
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    let nz = 0;
    for (let k = r * dim; k < (r + 1) * dim; k++) if (vectors[k] !== 0) nz++;
    indptr[r + 1] = indptr[r]! + nz;
  }
  const indices = new Int32Array(indptr[n]!);
  const data = new Float32Array(indices.length);
  let at = 0;
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < dim; k++) {
      const v = vectors[r * dim + k]!;
      if (v !== 0) {
        indices[at] = k;
        data[at++] = v;
      }
    }
  }
  return { column, names: Array.from({ length: dim }, (_, k) => `${label} #${k}`), values: new Csr(n, dim, indptr, indices, data) };
}
