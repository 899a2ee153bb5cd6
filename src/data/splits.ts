import { UnirecError } from '../errors.js';
import { Rng } from '../math/rng.js';
import type { Dataset } from './dataset.js';
import type { Interactions } from './interactions.js';

/** The evaluation protocols of DESIGN.md. */
export const PROTOCOLS = ['ratio', 'loo', 'temporal', 'kfold', 'cold-items', 'cold-users'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Row indices into the dataset's interactions for each part (valid may be empty). */
export interface Split {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
  /** cold-items: the held-out items, the only candidates at test time (ascending) */
  candidates?: Int32Array;
  /** cold-users: the held-out users (ascending), scored through the model's foldIn */
  coldUsers?: Int32Array;
  /** cold-users: rows handed to foldIn (each cold user's first events), in neither train nor test */
  foldIn?: Int32Array;
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
  const { indptr, rows } = x.rowsByUser(nUsers);
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
  const { indptr, rows } = x.rowsByUser(nUsers);
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

/**
 * Fold of every row (0..k-1) for k-fold splits within each user: each user's rows shuffled with the seed
 * and dealt round-robin, so every fold holds about 1/k of every user's rows (a user with fewer than k rows
 * is missing from some folds). For out-of-fold training data: a model fitted without fold f predicts it.
 */
export function userFolds(x: Interactions, nUsers: number, k: number, seed: number): Uint8Array {
  if (!(Number.isInteger(k) && k >= 2 && k <= 255)) throw new UnirecError(`folds must be an integer from 2 to 255, got ${k}`);
  const rng = new Rng(seed);
  const { indptr, rows } = x.rowsByUser(nUsers);
  const fold = new Uint8Array(x.length);
  for (let u = 0; u < nUsers; u++) {
    const own = rng.shuffle(rows.slice(indptr[u]!, indptr[u + 1]!));
    // a random first fold, so users with few rows do not all land in fold 0
    const start = rng.int(k);
    for (let j = 0; j < own.length; j++) fold[own[j]!] = (start + j) % k;
  }
  return fold;
}

/** A seeded `fraction` of the ids with at least one interaction (at least one id), ascending. */
function pickHeldOut(counts: Int32Array, fraction: number, seed: number): Int32Array {
  if (!(fraction > 0 && fraction < 1)) throw new UnirecError(`the held-out fraction must be between 0 and 1, got ${fraction}`);
  const present: number[] = [];
  for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) present.push(k);
  if (present.length < 2) throw new UnirecError('a cold-start protocol needs at least two users and two items with interactions');
  const n = Math.min(present.length - 1, Math.max(1, Math.round(fraction * present.length)));
  return new Rng(seed).shuffle(Int32Array.from(present)).slice(0, n).sort();
}

/** The warm rows split per user, shuffled with the seed: 90% train, 10% valid. */
function warmParts(x: Interactions, nUsers: number, warm: Uint8Array, rng: Rng, parts: number[][]): void {
  const { indptr, rows } = x.rowsByUser(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const own = rng.shuffle(Int32Array.from(rows.subarray(indptr[u]!, indptr[u + 1]!)).filter((r) => warm[r]!));
    const [nTrain] = ratioCounts(own.length, [0.9, 0.1, 0]);
    for (let k = 0; k < own.length; k++) parts[k < nTrain ? 0 : 1]!.push(own[k]!);
  }
}

/**
 * `cold-items`: a seeded `fraction` of the items (among those with interactions) is removed whole from
 * train and valid; test = every interaction with those items. The other rows are split per user,
 * shuffled, 90% train / 10% valid. `candidates` = the cold items: at test time they are ranked among
 * the cold items only, so that every model competes on the same unseen items (ranking them among all
 * items would mostly measure how far a model pushes never-seen items down, and no CF model could place
 * one in a top-10).
 */
export function splitColdItems(x: Interactions, nItems: number, seed: number, fraction = 0.1): Split {
  const rng = new Rng(seed);
  const cold = pickHeldOut(x.countByItem(nItems), fraction, rng.nextU32());
  const isCold = new Uint8Array(nItems);
  for (const i of cold) isCold[i] = 1;
  const warm = new Uint8Array(x.length);
  const parts: number[][] = [[], [], []];
  for (let r = 0; r < x.length; r++) {
    if (isCold[x.item[r]!]) parts[2]!.push(r);
    else warm[r] = 1;
  }
  let nUsers = 0;
  for (let r = 0; r < x.length; r++) nUsers = Math.max(nUsers, x.user[r]! + 1);
  warmParts(x, nUsers, warm, rng, parts);
  return { ...collect(parts), candidates: cold };
}

/**
 * `cold-users`: a seeded `fraction` of the users (among those with interactions) is held out whole.
 * Each one's first `coldEvents` events (by time; file order without time) go to the model through
 * foldIn, as a new user's first clicks would, and the rest is test (a user with no event left is not
 * evaluated); with 0 events the model sees only the user's attributes. The other users' rows are split
 * per user, shuffled, 90% train / 10% valid.
 */
export function splitColdUsers(x: Interactions, nUsers: number, seed: number, coldEvents = 0, fraction = 0.1): Split {
  if (!Number.isInteger(coldEvents) || coldEvents < 0) throw new UnirecError(`cold events must be a whole number >= 0, got ${coldEvents}`);
  const rng = new Rng(seed);
  const cold = pickHeldOut(x.countByUser(nUsers), fraction, rng.nextU32());
  const isCold = new Uint8Array(nUsers);
  for (const u of cold) isCold[u] = 1;
  const warm = new Uint8Array(x.length);
  for (let r = 0; r < x.length; r++) if (!isCold[x.user[r]!]) warm[r] = 1;
  const parts: number[][] = [[], [], []];
  warmParts(x, nUsers, warm, rng, parts);
  const { indptr, rows } = x.rowsByUser(nUsers);
  const foldIn: number[] = [];
  for (const u of cold) {
    const own = byTime(x, rows.subarray(indptr[u]!, indptr[u + 1]!));
    for (let k = 0; k < own.length; k++) (k < coldEvents ? foldIn : parts[2]!).push(own[k]!);
  }
  return { ...collect(parts), coldUsers: cold, foldIn: Int32Array.from(foldIn) };
}

export interface SplitOptions {
  /** cold-users: events of each cold user given to the model through foldIn (default 0) */
  coldEvents?: number;
  /** cold-items / cold-users: share of the items / users held out (default 0.1) */
  coldFraction?: number;
}

/** The split(s) of a protocol for a dataset: one for ratio/loo/temporal/cold-*, k for kfold. */
export function makeSplits(ds: Dataset, protocol: Protocol, seed: number, options: SplitOptions = {}): Split[] {
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
    case 'cold-items':
      return [splitColdItems(ds.interactions, ds.items.size, seed, options.coldFraction)];
    case 'cold-users':
      return [splitColdUsers(ds.interactions, ds.users.size, seed, options.coldEvents, options.coldFraction)];
  }
}
