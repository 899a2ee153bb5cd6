import type { Csr } from '../data/csr.js';
import type { Progress } from '../progress.js';
import { native } from './native.js';
import { cooccurrenceWork, KNN_THREADS_WORTH, neighbourRowsToCsr, rowNorms } from './knn.js';
import { MAX_POOL_THREADS } from './pool.js';
import { sharedFloat32, sharedInt32, WorkerTeam } from './team.js';

/**
 * The k-nearest-neighbour graph of the rows of `m` by cosine with shrinkage (cosineNeighbourRows),
 * as a CSR with each row's neighbours best first. Blocks of rows run on a WorkerTeam when the work
 * (sum of df^2 multiply-adds) pays for starting workers, or on the native core's threads (knnRows, the
 * same rows and output); the output is the same for any thread count.
 */
export async function cosineKnnGraph(
  m: Csr,
  mT: Csr,
  k: number,
  shrink: number,
  ctx: { threads: number; signal?: AbortSignal; progress?: Progress },
  label: string,
  /** below this many multiply-adds one thread is faster than starting workers */
  minWorkForThreads = KNN_THREADS_WORTH,
): Promise<Csr> {
  const n = m.nRows;
  const width = Math.max(1, Math.min(k, n));
  // each native thread holds n doubles of scratch: no more threads than the pool would start
  const threads = cooccurrenceWork(mT) >= minWorkForThreads ? Math.min(ctx.threads, MAX_POOL_THREADS) : 1;
  const nat = native();
  if (nat) {
    // the native core: the same rows on std::threads (the same output for any thread count)
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('cancelled');
    const out = { idx: new Int32Array(n * width), sim: new Float32Array(n * width), len: new Int32Array(n) };
    const task = ctx.progress?.start(label, n);
    try {
      nat.knnRows(m.indptr, m.indices, m.data, mT.indptr, mT.indices, mT.data, n, m.nCols, rowNorms(m), width, shrink, out.idx, out.sim, out.len, threads);
      task?.tick(n);
    } finally {
      task?.done();
    }
    return neighbourRowsToCsr(out, width, n);
  }
  const out = { idx: sharedInt32(n * width), sim: sharedFloat32(n * width), len: sharedInt32(n) };
  const team = WorkerTeam.create(threads, { m, mT, norms: rowNorms(m), out });
  const blocks = Math.max(1, Math.min(n, 64));
  const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * n) / blocks));
  const task = ctx.progress?.start(label, n);
  try {
    await team.run('knn', { k: width, shrink }, bounds, (rows) => task?.tick(rows), ctx.signal);
  } finally {
    task?.done();
    await team.close();
  }
  return neighbourRowsToCsr(out, width, n);
}
