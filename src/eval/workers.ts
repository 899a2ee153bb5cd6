import { Worker } from 'node:worker_threads';
import { packForWorker } from '../math/shared.js';
import type { ModelArtifact } from '../models/recommender.js';
import type { RankInput, RankOutput } from './rank-users.js';

/**
 * Runs the evaluation loop on worker threads: blocks of consecutive users (bounds[b]..bounds[b+1])
 * are handed to whichever worker is free, and each block's result is reported with its index so the
 * caller places it in user order. Inputs and model arrays are copied once into SharedArrayBuffers
 * that every worker reads; results come back as transferred buffers.
 */
export function rankOnWorkers(
  input: RankInput,
  artifact: ModelArtifact,
  bounds: number[],
  threads: number,
  signal: AbortSignal | undefined,
  onBlock: (block: number, out: RankOutput) => void,
): Promise<void> {
  const nBlocks = bounds.length - 1;
  const workerData = { input: packForWorker(input), artifact: packForWorker(artifact) };
  const workers: Worker[] = [];
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let settled = false;
    const stop = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = (): void => stop(signal?.reason ?? new Error('cancelled'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    const feed = (w: Worker): void => {
      if (next >= nBlocks) return;
      const b = next++;
      w.postMessage({ block: b, from: bounds[b], to: bounds[b + 1] });
    };
    for (let t = 0; t < Math.min(threads, nBlocks); t++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData });
      workers.push(w);
      w.on('message', (msg: { block: number; out: RankOutput }) => {
        if (settled) return;
        onBlock(msg.block, msg.out);
        if (++finished === nBlocks) stop();
        else feed(w);
      });
      w.on('error', (err) => stop(err));
      w.on('exit', (code) => {
        if (code !== 0) stop(new Error(`evaluation worker exited with code ${code}`));
      });
      feed(w);
    }
  });
}
