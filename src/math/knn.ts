import { Csr } from '../data/csr.js';
import { topK } from './topk.js';

/** Fixed-width output of the kNN kernel: row a's neighbours at [a*k, a*k + len[a]), best first. */
export interface NeighbourRows {
  idx: Int32Array;
  sim: Float32Array;
  len: Int32Array;
}

/**
 * Cosine similarity with shrinkage between the rows of `m` (entities x features),
 * sim(a, b) = <m_a, m_b> / (|m_a| |m_b| + shrink), keeping the k most similar other rows of each row
 * of [from, to) (zero similarities dropped) in `out`.
 *
 * Cost: the co-occurrence sums touch sum over features f of df(f)^2 entries (a sparse X X^T), with one
 * dense accumulator of length nRows reused across rows; top-k by bounded heap, never a full sort.
 * Rows are independent, so blocks of rows can run on worker threads (see knn-graph.ts).
 */
export function cosineNeighbourRows(
  m: Csr,
  mT: Csr,
  norms: Float64Array,
  k: number,
  shrink: number,
  from: number,
  to: number,
  out: NeighbourRows,
): void {
  const n = m.nRows;
  // Local copies of the arrays: V8 keeps them in registers in the hot loop.
  const mPtr = m.indptr;
  const mIdx = m.indices;
  const mVal = m.data;
  const tPtr = mT.indptr;
  const tIdx = mT.indices;
  const tVal = mT.data;
  const acc = new Float64Array(n);
  const sims = new Float32Array(n);
  for (let a = from; a < to; a++) {
    for (let p = mPtr[a]!; p < mPtr[a + 1]!; p++) {
      const f = mIdx[p]!;
      const va = mVal[p]!;
      const end = tPtr[f + 1]!;
      for (let q = tPtr[f]!; q < end; q++) acc[tIdx[q]!]! += va * tVal[q]!;
    }
    // A dense pass over the accumulator is cheaper than tracking touched rows for these sizes.
    const normA = norms[a]!;
    for (let b = 0; b < n; b++) {
      const dot = acc[b]!;
      sims[b] = dot > 0 && b !== a ? dot / (normA * norms[b]! + shrink) : -Infinity;
      acc[b] = 0;
    }
    const best = topK(sims, k);
    // drop zero similarities: they carry no evidence
    let keep = best.indices.length;
    while (keep > 0 && !(best.scores[keep - 1]! > 0)) keep--;
    out.idx.set(best.indices.subarray(0, keep), a * k);
    out.sim.set(best.scores.subarray(0, keep), a * k);
    out.len[a] = keep;
  }
}

/** Packs fixed-width neighbour rows into a CSR (rows sorted best first). */
export function neighbourRowsToCsr(out: NeighbourRows, k: number, nRows: number): Csr {
  const indptr = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) indptr[r + 1] = indptr[r]! + out.len[r]!;
  const indices = new Int32Array(indptr[nRows]!);
  const data = new Float32Array(indptr[nRows]!);
  for (let r = 0; r < nRows; r++) {
    indices.set(out.idx.subarray(r * k, r * k + out.len[r]!), indptr[r]!);
    data.set(out.sim.subarray(r * k, r * k + out.len[r]!), indptr[r]!);
  }
  return new Csr(nRows, nRows, indptr, indices, data);
}

export function rowNorms(m: Csr): Float64Array {
  const norms = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) {
    let s = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) s += m.data[p]! * m.data[p]!;
    norms[r] = Math.sqrt(s);
  }
  return norms;
}

/** Multiply-adds of cosineNeighbourRows over m: sum over features of df^2 (the sparse X X^T cost). */
export function cooccurrenceWork(mT: Csr): number {
  let work = 0;
  for (let f = 0; f < mT.nRows; f++) work += mT.rowLength(f) ** 2;
  return work;
}

/** Below this many multiply-adds a kNN fit is faster on one thread than with worker start-up. */
export const KNN_THREADS_WORTH = 5e7;
