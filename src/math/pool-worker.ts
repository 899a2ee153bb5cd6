import { parentPort, workerData } from 'node:worker_threads';
import { kernels, type KernelName } from './kernels.js';
import { transferables, unpackInWorker } from './shared.js';

// One worker of the block pool: rebuilds the shared input once, then runs the blocks it is sent.
const { kernel, input } = workerData as { kernel: KernelName; input: unknown };
const run = kernels[kernel] as (input: unknown, from: number, to: number) => unknown;
const shared = unpackInWorker(input);

parentPort!.on('message', (msg: { block: number; from: number; to: number }) => {
  const result = run(shared, msg.from, msg.to);
  parentPort!.postMessage({ block: msg.block, result }, transferables(result));
});
