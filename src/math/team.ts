import { workerPool, type PoolSession } from './pool.js';
import { poolTasks, type TeamTaskName } from './team-tasks.js';

/**
 * The math kernels' view of the worker pool (pool.ts), for algorithms that run many short parallel
 * phases over one shared state (a sweep step, half an ALS iteration): one pool session over the state,
 * then each `run` hands out blocks of rows dynamically and resolves when all are done; results go into
 * shared arrays. With one thread the tasks run here, on the same blocks, so the output does not depend
 * on `threads`. The threads are the process's pool threads, reused across teams, never spawned per team.
 *
 * Arrays the tasks write must already live in SharedArrayBuffers (`sharedFloat64` / `sharedFloat32`):
 * any other typed array in the shared state is copied once into shared memory for the threads.
 */
export class WorkerTeam {
  private constructor(private readonly session: PoolSession<TeamTaskName>) {}

  get threads(): number {
    return this.session.threads;
  }

  /** A team of `threads` pool threads (clamped to 1..16); 1 means "run in this thread". */
  static create(threads: number, shared: Record<string, unknown>): WorkerTeam {
    return new WorkerTeam(workerPool().session(poolTasks, shared, threads));
  }

  /**
   * Runs `task` over the blocks [bounds[b], bounds[b + 1]) in any order; `onBlock` is told each block's
   * size as it finishes. Rejects with the first error, or with the signal's reason when it aborts (no
   * new block starts after an abort).
   */
  run(task: TeamTaskName, args: Record<string, number>, bounds: ArrayLike<number>, onBlock?: (rows: number) => void, signal?: AbortSignal): Promise<void> {
    return this.session.run(task, args, bounds, { signal, onBlock: onBlock && ((b) => onBlock(bounds[b + 1]! - bounds[b]!)) });
  }

  /** Frees the team's state in the pool threads (the threads stay for the next team). Safe to call more than once. */
  async close(): Promise<void> {
    this.session.close();
  }
}

/** A zeroed Float64Array in a SharedArrayBuffer (writable by team workers). */
export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/** A zeroed Int32Array in a SharedArrayBuffer (writable by team workers). */
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/** A zeroed Float32Array in a SharedArrayBuffer (writable by team workers). */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

/**
 * Block bounds over [0, n) for rows whose cost grows linearly with the row index (a lower triangle):
 * `blocks` blocks of about equal total cost.
 */
export function triangleBounds(n: number, blocks: number): number[] {
  const out = [0];
  for (let b = 1; b < blocks; b++) {
    const at = Math.round(n * Math.sqrt(b / blocks));
    if (at > out[out.length - 1]!) out.push(at);
  }
  if (n > out[out.length - 1]!) out.push(n);
  return out;
}

/** Block bounds over [0, n) with weights w (per row): `blocks` blocks of about equal total weight. */
export function weightedBounds(weights: (r: number) => number, n: number, blocks: number): number[] {
  let total = 0;
  for (let r = 0; r < n; r++) total += weights(r);
  const out = [0];
  let acc = 0;
  let b = 1;
  for (let r = 0; r < n; r++) {
    acc += weights(r);
    if (b < blocks && acc >= (total * b) / blocks && r + 1 > out[out.length - 1]!) {
      out.push(r + 1);
      while (b < blocks && acc >= (total * b) / blocks) b++;
    }
  }
  if (n > out[out.length - 1]!) out.push(n);
  return out;
}
