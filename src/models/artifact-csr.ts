import { Csr } from '../data/csr.js';
import type { ModelArtifact } from './recommender.js';

/** A CSR matrix as three named artifact arrays: `<prefix>Indptr`, `<prefix>Indices`, `<prefix>Data`. */
export function csrArrays(prefix: string, m: Csr): ModelArtifact['arrays'] {
  return { [`${prefix}Indptr`]: m.indptr, [`${prefix}Indices`]: m.indices, [`${prefix}Data`]: m.data };
}

/** The CSR matrix saved by `csrArrays(prefix, ...)`. */
export function csrFromArrays(a: ModelArtifact, prefix: string, nRows: number, nCols: number): Csr {
  const arr = a.arrays;
  return new Csr(nRows, nCols, arr[`${prefix}Indptr`] as Int32Array, arr[`${prefix}Indices`] as Int32Array, arr[`${prefix}Data`] as Float32Array);
}
