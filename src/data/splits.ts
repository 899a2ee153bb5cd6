import { UnirecError } from '../errors.js';
import { Rng } from '../math/rng.js';
import type { Dataset } from './dataset.js';
import type { Interactions } from './interactions.js';

/** The evaluation protocols of DESIGN.md. */
export const PROTOCOLS = ['ratio', 'loo', 'temporal', 'kfold'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Row indices into the dataset's interactions for each part (valid may be empty). */
export interface Split {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

/** Rows of each user, in file order: CSR-like (indptr over users, rows). */
function rowsByUser(x: Interactions, nUsers: number): { indptr: Int32Array; rows: Int32Array } {
  const indptr = new Int32Array(nUsers + 1);
  for (let r = 0; r < x.length; r++) indptr[x.user[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const fill = indptr.slice(0, nUsers);
  const rows = new Int32Array(x.length);
  for (let r = 0; r < x.length; r++) rows[fill[x.user[r]!]!++] = r;
  return { indptr, rows };
}

/**
 * How many of n interactions go to each part (RecBole's rule): valid and test get floor(ratio*n);
 * an empty valid/test part borrows one from train while train keeps at least one.
 */
export function ratioCounts(n: number, ratios: readonly [number, number, number]): [number, number, number] {
  const counts: [number, number, number] = [0, Math.floor(ratios[1] * n), Math.floor(ratios[2] * n)];
  counts[0] = n - counts[1] - counts[2];
  for (const part of [1, 2] as const) {
    if (ratios[part] > 0 && counts[part] === 0 && counts[0] > 1) {
      counts[0]--;
      counts[part]++;
    }
  }
  return counts;
}

function collect(parts: number[][]): Split {
  return { train: Int32Array.from(parts[0]!), valid: Int32Array.from(parts[1]!), test: Int32Array.from(parts[2]!) };
}

/** `ratio`: per user, interactions shuffled with the seed, then split 80/10/10. */
export function splitRatio(
  x: Interactions,
  nUsers: number,
  seed: number,
  ratios: readonly [number, number, number] = [0.8, 0.1, 0.1],
): Split {
  const rng = new Rng(seed);
  const { indptr, rows } = rowsByUser(x, nUsers);
  const parts: number[][] = [[], [], []];
  for (let u = 0; u < nUsers; u++) {
    const own = rng.shuffle(rows.slice(indptr[u]!, indptr[u + 1]!));
    const [nTrain, nValid] = ratioCounts(own.length, ratios);
    for (let k = 0; k < own.length; k++) parts[k < nTrain ? 0 : k < nTrain + nValid ? 1 : 2]!.push(own[k]!);
  }
  return collect(parts);
}

function requireTime(x: Interactions, protocol: string): void {
  for (let r = 0; r < x.length; r++) {
    if (Number.isNaN(x.ts[r]!)) {
      throw new UnirecError(`protocol "${protocol}" needs timestamps, and this data has none; use --protocol ratio`);
    }
  }
}

/** Stable order by time (ties keep file order). */
function byTime(x: Interactions, rows: Int32Array): Int32Array {
  return Int32Array.from(rows).sort((a, b) => x.ts[a]! - x.ts[b]! || a - b);
}

/**
 * `loo`: leave-one-out by time. Each user's last interaction is test, the one before valid.
 * Users with 2 interactions give one train and one test; a single interaction stays in train.
 */
export function splitLoo(x: Interactions, nUsers: number): Split {
  requireTime(x, 'loo');
  const { indptr, rows } = rowsByUser(x, nUsers);
  const parts: number[][] = [[], [], []];
  for (let u = 0; u < nUsers; u++) {
    const own = byTime(x, rows.subarray(indptr[u]!, indptr[u + 1]!));
    const n = own.length;
    for (let k = 0; k < n; k++) {
      const part = n >= 2 && k === n - 1 ? 2 : n >= 3 && k === n - 2 ? 1 : 0;
      parts[part]!.push(own[k]!);
    }
  }
  return collect(parts);
}

/** `temporal`: one global cut by time: oldest 80% train, next 10% valid, newest 10% test. */
export function splitTemporal(
  x: Interactions,
  ratios: readonly [number, number, number] = [0.8, 0.1, 0.1],
): Split {
  requireTime(x, 'temporal');
  const all = new Int32Array(x.length);
  for (let r = 0; r < x.length; r++) all[r] = r;
  const order = byTime(x, all);
  const [nTrain, nValid] = ratioCounts(order.length, ratios);
  return {
    train: order.slice(0, nTrain),
    valid: order.slice(nTrain, nTrain + nValid),
    test: order.slice(nTrain + nValid),
  };
}

/**
 * `kfold`: k-fold cross-validation over all interactions (seeded shuffle into k near-equal folds), or the
 * publisher's folds when given (ml-100k u1..u5). Valid is empty: rating models are tuned separately.
 */
export function splitKfold(x: Interactions, seed: number, k = 5, given?: Int32Array[]): Split[] {
  let folds = given;
  if (!folds) {
    const order = new Int32Array(x.length);
    for (let r = 0; r < x.length; r++) order[r] = r;
    new Rng(seed).shuffle(order);
    folds = Array.from({ length: k }, (_, f) => {
      const lo = Math.floor((f * x.length) / k);
      const hi = Math.floor(((f + 1) * x.length) / k);
      return order.slice(lo, hi).sort();
    });
  }
  return folds.map((test) => {
    const inTest = new Uint8Array(x.length);
    for (const r of test) inTest[r] = 1;
    const train: number[] = [];
    for (let r = 0; r < x.length; r++) if (!inTest[r]) train.push(r);
    return { train: Int32Array.from(train), valid: new Int32Array(0), test: Int32Array.from(test) };
  });
}

/** The split(s) of a protocol for a dataset: one for ratio/loo/temporal, k for kfold. */
export function makeSplits(ds: Dataset, protocol: Protocol, seed: number): Split[] {
  switch (protocol) {
    case 'ratio':
      return [splitRatio(ds.interactions, ds.users.size, seed)];
    case 'loo':
      if (!ds.hasTime) throw new UnirecError(`protocol "loo" needs timestamps, and ${ds.name} has none; use --protocol ratio`);
      return [splitLoo(ds.interactions, ds.users.size)];
    case 'temporal':
      if (!ds.hasTime) throw new UnirecError(`protocol "temporal" needs timestamps, and ${ds.name} has none; use --protocol ratio`);
      return [splitTemporal(ds.interactions)];
    case 'kfold':
      return splitKfold(ds.interactions, seed, 5, ds.folds);
  }
}
