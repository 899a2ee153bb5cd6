import { UnirecError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { Interactions } from './interactions.js';
import { remapRelation } from './relation.js';
import { countConfidence } from './value-kind.js';

/**
 * Cleaning steps on a loaded Dataset. Each returns a new Dataset (the input is not changed) with a note
 * saying what it removed or changed; `folds` (row indices) are carried through every row filter.
 * `cleanDataset` runs them in the only order that makes sense: dedupe, minRating, implicit, kcore.
 */

/**
 * Which row of a repeated (user, item) pair survives:
 * - 'last': the latest by ts (ties and missing times: the later row in the file);
 * - 'first': the earliest by ts (ties and missing times: the earlier row);
 * - 'max': the highest value (ties: as 'last');
 * - 'sum': the 'last' row, with the sum of the pair's values.
 */
export type DedupePolicy = 'last' | 'first' | 'max' | 'sum';

/**
 * Turning ratings into implicit feedback:
 * - 'binary': every value becomes 1;
 * - linear confidence: c = 1 + alpha * r;
 * - log confidence: c = 1 + alpha * ln(1 + r / eps), eps defaults to 1
 *   (Hu, Koren & Volinsky 2008, "Collaborative Filtering for Implicit Feedback Datasets", section 4).
 */
export type ImplicitMode = 'binary' | { confidence: 'linear' | 'log'; alpha: number; eps?: number };

export interface CleanOptions {
  /**
   * Default 'last' ('sum' for counts); 'none' (or false) keeps every repeated event: loo's test is then
   * each user's literal last event, sequence models see the repeats in time order, and matrix models
   * see each pair once (makeTrainData sums implicit values, keeps the later rating).
   */
  dedupe?: DedupePolicy | 'none' | false;
  /** Keep rows with value >= minRating (ignored, with a note, when the data has no ratings). */
  minRating?: number;
  /** Keep users and items with at least kcore interactions, iterated until stable; ids renumbered. */
  kcore?: number;
  implicit?: ImplicitMode;
}

/**
 * The surviving row of each (user, item) pair under `policy`, in file order, and for 'sum' the new
 * values (per kept row). O(rows + users + items): one pass per user with a per-item stamp.
 */
export function dedupeRows(x: Interactions, policy: DedupePolicy): { rows: Int32Array; values?: Float32Array } {
  let nUsers = 0;
  let nItems = 0;
  for (let r = 0; r < x.length; r++) {
    if (x.user[r]! >= nUsers) nUsers = x.user[r]! + 1;
    if (x.item[r]! >= nItems) nItems = x.item[r]! + 1;
  }
  const { indptr, rows } = x.rowsByUser(nUsers);
  const stamp = new Int32Array(nItems).fill(-1);
  const best = new Int32Array(nItems);
  const sum = new Float64Array(nItems);
  const keep = new Uint8Array(x.length);
  const sums = policy === 'sum' ? new Float64Array(x.length) : undefined;
  const { ts, value } = x;
  // Whether row r (later in the file) replaces the current best b. NaN comparisons are false, so
  // missing times fall through to file order.
  const replaces = (r: number, b: number): boolean => {
    switch (policy) {
      case 'first':
        return ts[r]! < ts[b]!;
      case 'max':
        return value[r]! > value[b]! || (value[r] === value[b] && !(ts[r]! < ts[b]!));
      default:
        return !(ts[r]! < ts[b]!);
    }
  };
  for (let u = 0; u < nUsers; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    for (let k = start; k < end; k++) {
      const r = rows[k]!;
      const i = x.item[r]!;
      if (stamp[i] !== u) {
        stamp[i] = u;
        best[i] = r;
        sum[i] = value[r]!;
      } else {
        if (replaces(r, best[i]!)) best[i] = r;
        sum[i]! += value[r]!;
      }
    }
    for (let k = start; k < end; k++) {
      const i = x.item[rows[k]!]!;
      if (stamp[i] === u && keep[best[i]!] === 0) {
        keep[best[i]!] = 1;
        if (sums) sums[best[i]!] = sum[i]!;
      }
    }
  }
  const kept = indexOf(keep);
  return sums ? { rows: kept, values: Float32Array.from(kept, (r) => sums[r]!) } : { rows: kept };
}

/** Indices where flags are set, ascending. */
function indexOf(flags: Uint8Array): Int32Array {
  let n = 0;
  for (let r = 0; r < flags.length; r++) n += flags[r]! ? 1 : 0;
  const out = new Int32Array(n);
  for (let r = 0, k = 0; r < flags.length; r++) if (flags[r]) out[k++] = r;
  return out;
}

/** A dataset keeping only `rows` (ascending), with folds carried over to the new row numbers. */
function keepRows(ds: Dataset, rows: Int32Array, note?: string): Dataset {
  const notes = note === undefined ? [...ds.notes] : [...ds.notes, note];
  const out: Dataset = { ...ds, interactions: ds.interactions.select(rows), notes };
  if (ds.folds) {
    const newIndex = new Int32Array(ds.interactions.length).fill(-1);
    for (let k = 0; k < rows.length; k++) newIndex[rows[k]!] = k;
    let lost = 0;
    out.folds = ds.folds.map((fold) => {
      const kept: number[] = [];
      for (const r of fold) if (newIndex[r]! >= 0) kept.push(newIndex[r]!);
      lost += fold.length - kept.length;
      return Int32Array.from(kept);
    });
    if (lost > 0) notes.push(`folds: ${lost} test rows went with the removed rows`);
  }
  return out;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Removes repeated (user, item) pairs of interactions; see DedupePolicy. */
export function dedupe(x: Interactions, policy: DedupePolicy): Interactions;
/** Removes repeated (user, item) pairs of a dataset, with a note; see DedupePolicy. */
export function dedupe(ds: Dataset, policy: DedupePolicy): Dataset;
export function dedupe(data: Interactions | Dataset, policy: DedupePolicy): Interactions | Dataset {
  const x = data instanceof Interactions ? data : data.interactions;
  const { rows, values } = dedupeRows(x, policy);
  if (data instanceof Interactions) {
    const out = x.select(rows);
    if (values) out.value.set(values);
    return out;
  }
  const removed = x.length - rows.length;
  if (removed === 0) return { ...data, notes: [...data.notes] }; // no pair repeats: every value stands as it is
  const out = keepRows(data, rows, `dedupe (${policy}): removed ${plural(removed, 'repeated (user, item) row')}`);
  if (values) out.interactions.value.set(values);
  return out;
}

/** Keeps rows with value >= min. Data without ratings is returned as is, with a note. */
export function minRating(ds: Dataset, min: number): Dataset {
  if (!ds.hasRatings) return { ...ds, notes: [...ds.notes, `minRating ${min} ignored: this data has no ratings`] };
  const x = ds.interactions;
  const keep = new Uint8Array(x.length);
  for (let r = 0; r < x.length; r++) keep[r] = x.value[r]! >= min ? 1 : 0;
  const rows = indexOf(keep);
  return keepRows(ds, rows, `minRating ${min}: removed ${plural(x.length - rows.length, 'row')} rated below ${min}`);
}

/** Rows that survive the n-core: every remaining user and item has >= n of them. Also the number of passes. */
export function kcoreRows(x: Interactions, nUsers: number, nItems: number, n: number): { keep: Uint8Array; passes: number } {
  const keep = new Uint8Array(x.length).fill(1);
  const userCount = new Int32Array(nUsers);
  const itemCount = new Int32Array(nItems);
  for (let passes = 1; ; passes++) {
    userCount.fill(0);
    itemCount.fill(0);
    for (let r = 0; r < x.length; r++) {
      if (keep[r]) {
        userCount[x.user[r]!]!++;
        itemCount[x.item[r]!]!++;
      }
    }
    let changed = false;
    for (let r = 0; r < x.length; r++) {
      if (keep[r] && (userCount[x.user[r]!]! < n || itemCount[x.item[r]!]! < n)) {
        keep[r] = 0;
        changed = true;
      }
    }
    if (!changed) return { keep, passes };
  }
}

/**
 * Keeps users and items with at least n interactions, repeating until no more fall below n (removing
 * an item can push a user under n, and back), then renumbers users and items compactly: ids with no
 * rows left are dropped from the IdMaps and attribute tables, catalogue-only items included.
 */
export function kcore(ds: Dataset, n: number): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new UnirecError(`kcore must be a whole number >= 1, got ${n}`);
  const x = ds.interactions;
  const { keep, passes } = kcoreRows(x, ds.users.size, ds.items.size, n);
  const kept = keepRows(ds, indexOf(keep));
  const y = kept.interactions;
  const hasUser = new Uint8Array(ds.users.size);
  const hasItem = new Uint8Array(ds.items.size);
  for (let r = 0; r < y.length; r++) {
    hasUser[y.user[r]!] = 1;
    hasItem[y.item[r]!] = 1;
  }
  const users = ds.users.filter(hasUser);
  const items = ds.items.filter(hasItem);
  const note =
    `kcore ${n}: removed ${plural(x.length - y.length, 'row')}, ${plural(ds.users.size - users.map.size, 'user')} and ` +
    `${plural(ds.items.size - items.map.size, 'item')} in ${passes} pass${passes === 1 ? '' : 'es'}; ids renumbered`;
  const out: Dataset = {
    ...kept,
    users: users.map,
    items: items.map,
    // Every kept row has a kept user and item, so remap drops no rows and the fold indices stay valid.
    interactions: y.remap(users.remap, items.remap),
    notes: [...kept.notes, note],
  };
  if (ds.itemTable) out.itemTable = ds.itemTable.remap(items.remap, items.map.size);
  if (ds.userTable) out.userTable = ds.userTable.remap(users.remap, users.map.size);
  if (ds.relation) out.relation = remapRelation(ds.relation, users.remap, users.map.size);
  return out;
}

/** Counts (plays, purchases) as confidences 1 + ln(count) (see value-kind.ts); the result is implicit, valueKind 'weight'. */
export function countsToConfidence(ds: Dataset): Dataset {
  const x = ds.interactions;
  const value = new Float32Array(x.length);
  let max = 0;
  for (let r = 0; r < x.length; r++) {
    value[r] = countConfidence(x.value[r]!);
    if (x.value[r]! > max) max = x.value[r]!;
  }
  const note = `counts as confidence 1 + ln(count) for implicit models (the largest, ${max}, weighs ${countConfidence(max).toFixed(2)})`;
  return { ...ds, interactions: new Interactions(x.user, x.item, value, x.ts), hasRatings: false, valueKind: 'weight', notes: [...ds.notes, note] };
}

/** dedupe 'none': every event kept; a note counts the repeats and says how they are used. */
function keepRepeats(ds: Dataset): Dataset {
  const repeats = ds.interactions.length - dedupeRows(ds.interactions, 'last').rows.length;
  if (repeats === 0) return ds;
  const note =
    `dedupe none: kept ${plural(repeats, 'repeated (user, item) event')} ` +
    '(loo tests each user\'s literal last event, which is not ranked when the user already had the item in train; ' +
    'sequence models see repeats in time order; matrix models see each pair once, implicit values summed)';
  return { ...ds, notes: [...ds.notes, note] };
}

/** Replaces values by implicit-feedback weights (see ImplicitMode); the result has hasRatings = false. */
export function toImplicit(ds: Dataset, mode: ImplicitMode): Dataset {
  const x = ds.interactions;
  const value = new Float32Array(x.length);
  let note: string;
  if (mode === 'binary') {
    value.fill(1);
    note = 'implicit: every value set to 1';
  } else {
    const { confidence, alpha } = mode;
    const eps = mode.eps ?? 1;
    if (!(Number.isFinite(alpha) && alpha > 0)) throw new UnirecError(`implicit confidence alpha must be a positive number, got ${alpha}`);
    if (!(Number.isFinite(eps) && eps > 0)) throw new UnirecError(`implicit confidence eps must be a positive number, got ${eps}`);
    for (let r = 0; r < x.length; r++) {
      const v = x.value[r]!;
      value[r] = confidence === 'linear' ? 1 + alpha * v : 1 + alpha * Math.log1p(v / eps);
    }
    note =
      confidence === 'linear'
        ? `implicit: confidence 1 + ${alpha} * value`
        : `implicit: confidence 1 + ${alpha} * ln(1 + value / ${eps})`;
  }
  return {
    ...ds,
    interactions: new Interactions(x.user, x.item, value, x.ts),
    hasRatings: false,
    ...(ds.valueKind && { valueKind: 'weight' as const }),
    notes: [...ds.notes, note],
  };
}

/**
 * The cleaning pipeline: dedupe (default 'last'), then minRating, then implicit, then kcore. Returns a
 * new Dataset whose notes say what each step removed.
 */
export function cleanDataset(ds: Dataset, opts: CleanOptions = {}): Dataset {
  let out = ds;
  const policy = opts.dedupe ?? (ds.valueKind === 'count' ? 'sum' : 'last');
  if (policy !== false && policy !== 'none') out = dedupe(out, policy);
  else out = keepRepeats(out);
  if (opts.minRating !== undefined) out = minRating(out, opts.minRating);
  if (opts.implicit !== undefined) out = toImplicit(out, opts.implicit);
  else if (out.valueKind === 'count') out = countsToConfidence(out);
  if (opts.kcore !== undefined) out = kcore(out, opts.kcore);
  return out === ds ? { ...ds, notes: [...ds.notes] } : out;
}
