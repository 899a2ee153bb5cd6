import { Csr } from '../data/csr.js';
import { topK } from './topk.js';

/** Per-row top-k neighbour lists, as a CSR whose rows are sorted by similarity, best first. */
export type NeighbourLists = Csr;

/**
 * Cosine similarity with shrinkage between the rows of `m` (entities x features),
 * sim(a, b) = <m_a, m_b> / (|m_a| |m_b| + shrink), keeping the k most similar other rows of each row.
 *
 * Cost: the co-occurrence sums touch sum over features f of df(f)^2 entries (a sparse X X^T), with one
 * dense accumulator of length nRows reused across rows; top-k by bounded heap, never a full sort.
 * `from`/`to` restrict the work to a block of rows, so blocks can run on worker threads.
 */
export function cosineNeighbours(
  m: Csr,
  mT: Csr,
  k: number,
  shrink: number,
  from = 0,
  to = m.nRows,
): { indptr: Int32Array; indices: Int32Array; data: Float32Array } {
  const n = m.nRows;
  const norms = rowNorms(m);
  // Local copies of the arrays: V8 keeps them in registers in the hot loop.
  const mPtr = m.indptr;
  const mIdx = m.indices;
  const mVal = m.data;
  const tPtr = mT.indptr;
  const tIdx = mT.indices;
  const tVal = mT.data;
  const acc = new Float64Array(n);
  const sims = new Float32Array(n);
  const lists: { idx: Int32Array; val: Float32Array }[] = [];
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
    lists.push({ idx: best.indices.subarray(0, keep), val: best.scores.subarray(0, keep) });
  }
  const indptr = new Int32Array(lists.length + 1);
  for (let r = 0; r < lists.length; r++) indptr[r + 1] = indptr[r]! + lists[r]!.idx.length;
  const indices = new Int32Array(indptr[lists.length]!);
  const data = new Float32Array(indptr[lists.length]!);
  for (let r = 0; r < lists.length; r++) {
    indices.set(lists[r]!.idx, indptr[r]!);
    data.set(lists[r]!.val, indptr[r]!);
  }
  return { indptr, indices, data };
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

/** Concatenates row blocks (in order) into one CSR of nRows x nCols. */
export function joinBlocks(
  blocks: { indptr: Int32Array; indices: Int32Array; data: Float32Array }[],
  nRows: number,
  nCols: number,
): Csr {
  const nnz = blocks.reduce((s, b) => s + b.indices.length, 0);
  const indptr = new Int32Array(nRows + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let row = 0;
  let at = 0;
  for (const b of blocks) {
    const rows = b.indptr.length - 1;
    for (let r = 0; r < rows; r++) indptr[row + r + 1] = at + b.indptr[r + 1]!;
    indices.set(b.indices, at);
    data.set(b.data, at);
    row += rows;
    at += b.indices.length;
  }
  return new Csr(nRows, nCols, indptr, indices, data);
}

/** Multiply-adds of cosineNeighbours over m: sum over features of df^2 (the sparse X X^T cost). */
export function cooccurrenceWork(mT: Csr): number {
  let work = 0;
  for (let f = 0; f < mT.nRows; f++) work += mT.rowLength(f) ** 2;
  return work;
}

/** Below this many multiply-adds a kNN fit is faster on one thread than with worker start-up. */
export const KNN_THREADS_WORTH = 5e7;
