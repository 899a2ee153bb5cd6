import type { Interactions } from '../data/interactions.js';

/** Every user's items in time order, as one CSR-like pair: user u's sequence is items[indptr[u]..indptr[u+1]). */
export interface Sequences {
  indptr: Int32Array;
  items: Int32Array;
}

/**
 * Each user's items ordered by time (ties keep the order of `parts`, then row order: sequence files
 * carry positions as ts, and valid rows come after train rows). Repeated items are kept: a sequence
 * model learns from re-consumption too.
 */
export function userSequences(parts: Interactions[], nUsers: number): Sequences {
  const indptr = new Int32Array(nUsers + 1);
  for (const x of parts) for (let r = 0; r < x.length; r++) indptr[x.user[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const total = indptr[nUsers]!;
  const items = new Int32Array(total);
  const ts = new Float64Array(total);
  const fill = indptr.slice(0, nUsers);
  for (const x of parts) {
    for (let r = 0; r < x.length; r++) {
      const at = fill[x.user[r]!]!++;
      items[at] = x.item[r]!;
      ts[at] = x.ts[r]!;
    }
  }
  // stable insertion sort per user: rows usually arrive nearly in time order already
  for (let u = 0; u < nUsers; u++) {
    for (let a = indptr[u]! + 1; a < indptr[u + 1]!; a++) {
      const t = ts[a]!;
      const it = items[a]!;
      let b = a - 1;
      while (b >= indptr[u]! && ts[b]! > t) {
        ts[b + 1] = ts[b]!;
        items[b + 1] = items[b]!;
        b--;
      }
      ts[b + 1] = t;
      items[b + 1] = it;
    }
  }
  return { indptr, items };
}

export function sequenceOf(s: Sequences, u: number): Int32Array {
  return s.items.subarray(s.indptr[u]!, s.indptr[u + 1]!);
}
