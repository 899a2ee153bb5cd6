import { Worker } from 'node:worker_threads';
import type { Progress } from '../progress.js';
import { kernels, type KernelInput, type KernelName, type KernelOutput } from './kernels.js';
import { packForWorker } from './shared.js';

export interface PoolContext {
  threads: number;
  signal?: AbortSignal;
  progress?: Progress;
}

/**
 * Runs a row-block kernel over rows [0, nRows) and returns the block results in row order.
 * With threads > 1 and work worth it the blocks go to worker threads (inputs shared, not copied per
 * worker); otherwise they run here. Either way the output is identical.
 */
export async function runBlocks<K extends KernelName>(
  kernel: K,
  input: KernelInput<K>,
  nRows: number,
  ctx: PoolContext,
  label: string,
  /** false when the work is too small to pay for starting workers (tens of milliseconds) */
  worthThreads = true,
): Promise<KernelOutput<K>[]> {
  const threads = Math.max(1, Math.min(ctx.threads, 16));
  // The blocking does not depend on the thread count, so every thread count gives the same blocks.
  const nBlocks = Math.max(1, Math.min(nRows, 64));
  const bounds = Array.from({ length: nBlocks + 1 }, (_, b) => Math.floor((b * nRows) / nBlocks));
  if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('cancelled');
  const task = ctx.progress?.start(label, nRows);
  try {
    if (threads === 1 || !worthThreads) {
      const run = kernels[kernel] as (input: KernelInput<K>, from: number, to: number) => KernelOutput<K>;
      const out: KernelOutput<K>[] = [];
      for (let b = 0; b < nBlocks; b++) {
        if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('cancelled');
        out.push(run(input, bounds[b]!, bounds[b + 1]!));
        task?.tick(bounds[b + 1]! - bounds[b]!);
      }
      return out;
    }
    return await runOnWorkers(kernel, input, bounds, threads, ctx.signal, (rows) => task?.tick(rows));
  } finally {
    task?.done();
  }
}

function runOnWorkers<K extends KernelName>(
  kernel: K,
  input: KernelInput<K>,
  bounds: number[],
  threads: number,
  signal: AbortSignal | undefined,
  onRows: (rows: number) => void,
): Promise<KernelOutput<K>[]> {
  const nBlocks = bounds.length - 1;
  const results: KernelOutput<K>[] = new Array(nBlocks);
  const packed = packForWorker(input);
  const workers: Worker[] = [];
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    const stop = (err?: unknown): void => {
      for (const w of workers) void w.terminate();
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        failed = true;
        reject(err);
      }
    };
    const onAbort = (): void => stop(signal?.reason ?? new Error('cancelled'));
    signal?.addEventListener('abort', onAbort);
    const feed = (w: Worker): void => {
      if (next < nBlocks) {
        const b = next++;
        w.postMessage({ block: b, from: bounds[b], to: bounds[b + 1] });
      }
    };
    for (let t = 0; t < Math.min(threads, nBlocks); t++) {
      const w = new Worker(new URL('./pool-worker.js', import.meta.url), { workerData: { kernel, input: packed } });
      workers.push(w);
      w.on('message', (msg: { block: number; result: KernelOutput<K> }) => {
        results[msg.block] = msg.result;
        onRows(bounds[msg.block + 1]! - bounds[msg.block]!);
        if (++finished === nBlocks) {
          stop();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (err) => !failed && stop(err));
      feed(w);
    }
  });
}
