import { Csr } from '../data/csr.js';
import { cosineNeighbours } from './knn.js';

/**
 * Row-block kernels that can run on worker threads: each takes the shared input and a row range
 * [from, to) and returns typed arrays for that block. The pool runs blocks in order-independent
 * fashion and joins results by block index, so output is the same for any thread count.
 */
export const kernels = {
  knn: (input: { m: Csr; mT: Csr; k: number; shrink: number }, from: number, to: number) =>
    cosineNeighbours(input.m, input.mT, input.k, input.shrink, from, to),
};

export type KernelName = keyof typeof kernels;
export type KernelInput<K extends KernelName> = Parameters<(typeof kernels)[K]>[0];
export type KernelOutput<K extends KernelName> = ReturnType<(typeof kernels)[K]>;
