import { Worker } from 'node:worker_threads';
import { packForWorker } from './shared.js';
import { teamTasks, type TeamTask, type TeamTaskName } from './team-tasks.js';

/**
 * A persistent team of worker threads over one shared state, for algorithms that run many short
 * parallel phases (a sweep step, half an ALS iteration): the workers start once, then each `run` hands
 * out blocks of rows dynamically and resolves when all are done; results go into shared arrays.
 * With one thread the tasks run here, on the same blocks, so the output does not depend on `threads`.
 *
 * Arrays the tasks write must already live in SharedArrayBuffers (`sharedFloat64` / `sharedFloat32`):
 * any other typed array in the shared state is copied once into shared memory for the workers.
 */
export class WorkerTeam {
  private readonly workers: Worker[] = [];
  private readonly localShared: unknown;
  private closed = false;

  private constructor(
    readonly threads: number,
    shared: Record<string, unknown>,
  ) {
    this.localShared = shared;
    if (threads > 1) {
      const packed = packForWorker(shared);
      for (let t = 0; t < threads; t++) {
        const w = new Worker(new URL('./team-worker.js', import.meta.url), { workerData: { shared: packed } });
        this.workers.push(w);
      }
    }
  }

  /** A team of `threads` workers (clamped to 1..16); 1 means "run in this thread". */
  static create(threads: number, shared: Record<string, unknown>): WorkerTeam {
    return new WorkerTeam(Math.max(1, Math.min(16, Math.floor(threads) || 1)), shared);
  }

  /**
   * Runs `task` over the blocks [bounds[b], bounds[b + 1]) in any order; `onBlock` is told each block's
   * size as it finishes. Rejects with the first error, or with the signal's reason when it aborts (no
   * new block starts after an abort).
   */
  run(
    task: TeamTaskName,
    args: Record<string, number>,
    bounds: ArrayLike<number>,
    onBlock?: (rows: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WorkerTeam is closed'));
    const nBlocks = bounds.length - 1;
    if (this.workers.length === 0) {
      const fn = teamTasks[task] as TeamTask;
      for (let b = 0; b < nBlocks; b++) {
        if (signal?.aborted) return Promise.reject(abortReason(signal));
        fn(this.localShared, args, bounds[b]!, bounds[b + 1]!);
        onBlock?.(bounds[b + 1]! - bounds[b]!);
      }
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let inFlight = 0;
      let failure: unknown;
      const listeners: [Worker, (msg: { block: number; error?: string }) => void, (err: Error) => void][] = [];
      const settle = (): void => {
        for (const [w, onMessage, onError] of listeners) {
          w.off('message', onMessage);
          w.off('error', onError);
        }
        if (failure !== undefined) reject(failure);
        else resolve();
      };
      const feed = (w: Worker): void => {
        if (failure === undefined && signal?.aborted) failure = abortReason(signal);
        if (failure === undefined && next < nBlocks) {
          const b = next++;
          inFlight++;
          w.postMessage({ task, args, block: b, from: bounds[b], to: bounds[b + 1] });
        } else if (inFlight === 0 && (failure !== undefined || finished === nBlocks)) {
          settle();
        }
      };
      for (const w of this.workers) {
        const onMessage = (msg: { block: number; error?: string }): void => {
          inFlight--;
          if (msg.error !== undefined) failure ??= new Error(msg.error);
          else {
            finished++;
            onBlock?.(bounds[msg.block + 1]! - bounds[msg.block]!);
          }
          feed(w);
        };
        const onError = (err: Error): void => {
          failure ??= err;
          inFlight = 0;
          settle();
        };
        w.on('message', onMessage);
        w.on('error', onError);
        listeners.push([w, onMessage, onError]);
      }
      if (nBlocks <= 0) {
        settle();
        return;
      }
      for (const w of this.workers) feed(w);
    });
  }

  /** Stops the workers. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('cancelled');
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
