import { Csr } from '../data/csr.js';

/**
 * Term weighting of an item x user matrix before neighbourhood similarity, treating each item as a
 * document whose terms are the users who touched it (as the implicit library does). Heavy users
 * carry less information about item similarity, so their entries get a lower idf.
 */
export type Weighting = 'none' | 'tfidf' | 'bm25';

/** idf of each column (user): log(nRows) - log(1 + df). */
function columnIdf(m: Csr): Float64Array {
  const df = new Int32Array(m.nCols);
  for (let k = 0; k < m.nnz; k++) df[m.indices[k]!]!++;
  const idf = new Float64Array(m.nCols);
  const logN = Math.log(m.nRows);
  for (let c = 0; c < m.nCols; c++) idf[c] = logN - Math.log1p(df[c]!);
  return idf;
}

/** tf-idf: sqrt(value) * idf(column). */
export function tfidfWeight(m: Csr): Csr {
  const idf = columnIdf(m);
  const data = new Float32Array(m.nnz);
  for (let k = 0; k < m.nnz; k++) data[k] = Math.sqrt(m.data[k]!) * idf[m.indices[k]!]!;
  return new Csr(m.nRows, m.nCols, m.indptr, m.indices, data);
}

/** Okapi BM25: value * (k1 + 1) / (value + k1 * (1 - b + b * rowLength / meanRowLength)) * idf(column). */
export function bm25Weight(m: Csr, k1 = 1.2, b = 0.75): Csr {
  const idf = columnIdf(m);
  const meanLength = m.nnz / Math.max(1, m.nRows);
  const data = new Float32Array(m.nnz);
  for (let r = 0; r < m.nRows; r++) {
    const lengthNorm = k1 * (1 - b + (b * m.rowLength(r)) / meanLength);
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
      const v = m.data[k]!;
      data[k] = ((v * (k1 + 1)) / (v + lengthNorm)) * idf[m.indices[k]!]!;
    }
  }
  return new Csr(m.nRows, m.nCols, m.indptr, m.indices, data);
}

export function applyWeighting(m: Csr, weighting: Weighting, k1 = 1.2, b = 0.75): Csr {
  if (weighting === 'tfidf') return tfidfWeight(m);
  if (weighting === 'bm25') return bm25Weight(m, k1, b);
  return m;
}
