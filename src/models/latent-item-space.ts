import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { normalizeRows } from '../features/block.js';
import { Als, alsParams } from './als.js';
import type { FitContext } from './recommender.js';

/**
 * A reference taste space for items: the item factors of an implicit ALS (default parameters, `factors`
 * dimensions) fitted on train, each row L2-normalised, stored as a CSR with dense rows so the cosine of
 * two items is the sparse dot of their rows. Whichever model made a list, its items can be compared in
 * this one space: MMR's 'latent' similarity and the diversity_latent@K metric use it. Unlike the cosine of
 * raw interaction vectors, two items nobody consumed together can still be close (smoothed by the
 * factorisation). Items without train events have zero factors, so they are similar to nothing.
 */
export function latentItemSpace(train: TrainData, factors: number, ctx: Pick<FitContext, 'seed' | 'threads' | 'signal'>): Promise<Csr> {
  // One fit per (train, factors, seed): a latent MMR stage and the diversity_latent metric of the same
  // evaluation ask for the same space (ALS is deterministic for any thread count). Callers must not
  // modify the returned matrix.
  const spaces = spacesOf(train);
  const key = `${factors}:${ctx.seed}`;
  let space = spaces.get(key);
  if (!space) {
    space = fitSpace(train, factors, ctx);
    spaces.set(key, space);
    space.catch(() => spaces.delete(key)); // a cancelled or failed fit is not remembered
  }
  return space;
}

const fitted = new WeakMap<TrainData, Map<string, Promise<Csr>>>();

function spacesOf(train: TrainData): Map<string, Promise<Csr>> {
  let spaces = fitted.get(train);
  if (!spaces) fitted.set(train, (spaces = new Map()));
  return spaces;
}

/**
 * Offers an ALS fitted on `train` with `seed` as that taste space: taken only when it is exactly the ALS
 * latentItemSpace would fit (default parameters at its dimension), so a pipeline whose retriever is that
 * ALS does not fit the same factors again for a latent MMR stage or the diversity_latent metric.
 */
export function offerLatentSpace(train: TrainData, seed: number, als: Als): void {
  if (JSON.stringify(als.params) !== JSON.stringify(alsParams({ factors: als.params.factors }))) return;
  const spaces = spacesOf(train);
  const key = `${als.params.factors}:${seed}`;
  if (spaces.has(key)) return;
  const { vectors, dim } = als.itemEmbeddings();
  spaces.set(key, Promise.resolve(unitRows(vectors, train.nItems, dim)));
}

async function fitSpace(train: TrainData, factors: number, ctx: Pick<FitContext, 'seed' | 'threads' | 'signal'>): Promise<Csr> {
  const als = new Als(alsParams({ factors }));
  await als.fit(train, { seed: ctx.seed, threads: ctx.threads, signal: ctx.signal });
  const { vectors, dim } = als.itemEmbeddings();
  return unitRows(vectors, train.nItems, dim);
}

/** Dense rows (n x dim, row-major) as a CSR of L2-normalised rows; an all-zero row stays zero. */
export function unitRows(vectors: Float32Array, n: number, dim: number): Csr {
  const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * dim);
  const indices = Int32Array.from({ length: n * dim }, (_, t) => t % dim);
  return normalizeRows(new Csr(n, dim, indptr, indices, vectors.subarray(0, n * dim)));
}
