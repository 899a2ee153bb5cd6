import type { Csr } from '../data/csr.js';
import { scaleToUnit } from './mmr.js';

/**
 * Calibrated popularity (Abdollahpouri et al. 2021, "User-centered evaluation of popularity bias in
 * recommender systems"): items fall in three popularity groups (head: the most popular items that
 * together take `head` of the train interactions; tail: the least popular taking the last `tail`;
 * mid: the rest). A user's profile is the share of each group in their history; a list is re-ranked
 * greedily so its group shares come close to the profile's, trading relevance for
 *     (1 - lambda) * relevance(i) - lambda * JS(profile, shares(list + i)),
 * where JS is the Jensen-Shannon divergence. A user who watches obscure films gets long-tail items; a
 * user of blockbusters keeps them (unlike a plain long-tail boost).
 */

export const HEAD = 0;
export const MID = 1;
export const TAIL = 2;

/** The popularity group of every item (items without interactions are tail). */
export function popularityGroups(byItem: Csr, head = 0.2, tail = 0.2): Uint8Array {
  const n = byItem.nRows;
  const count = Int32Array.from({ length: n }, (_, i) => byItem.rowLength(i));
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => count[b]! - count[a]! || a - b);
  const total = byItem.nnz;
  const groups = new Uint8Array(n).fill(TAIL);
  let cumulative = 0;
  for (const i of order) {
    const share = total > 0 ? cumulative / total : 1;
    groups[i] = share < head ? HEAD : share < 1 - tail ? MID : TAIL;
    cumulative += count[i]!;
  }
  return groups;
}

/** Share of each group among `items` (uniform when there are none). */
export function groupShares(items: ArrayLike<number>, groups: Uint8Array): Float64Array {
  const out = new Float64Array(3);
  for (let t = 0; t < items.length; t++) out[groups[items[t]!]!]!++;
  const n = items.length;
  for (let g = 0; g < 3; g++) out[g] = n > 0 ? out[g]! / n : 1 / 3;
  return out;
}

/** Jensen-Shannon divergence (base 2, in [0, 1]) of two 3-group distributions. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let g = 0; g < 3; g++) {
    const m = (p[g]! + q[g]!) / 2;
    if (p[g]! > 0) s += 0.5 * p[g]! * Math.log2(p[g]! / m);
    if (q[g]! > 0) s += 0.5 * q[g]! * Math.log2(q[g]! / m);
  }
  return s;
}

/**
 * The pool reordered: its first k positions chosen greedily for calibration to `profile` (group shares
 * of the user's history), the rest after them in pool order. O(k * pool).
 */
export function calibrateOrder(
  items: Int32Array,
  relevance: ArrayLike<number>,
  k: number,
  groups: Uint8Array,
  profile: Float64Array,
  lambda: number,
): Int32Array {
  const n = items.length;
  const take = Math.min(k, n);
  const out = new Int32Array(n);
  const rel = scaleToUnit(relevance);
  const counts = new Float64Array(3);
  const q = new Float64Array(3);
  const taken = new Uint8Array(n);
  // the divergence after adding an item depends only on its group: three values per step
  const divergence = new Float64Array(3);
  for (let step = 0; step < take; step++) {
    for (let g = 0; g < 3; g++) {
      for (let h = 0; h < 3; h++) q[h] = (counts[h]! + (h === g ? 1 : 0)) / (step + 1);
      divergence[g] = jensenShannon(profile, q);
    }
    let best = -1;
    let bestValue = -Infinity;
    for (let p = 0; p < n; p++) {
      if (taken[p]) continue;
      const value = (1 - lambda) * rel[p]! - lambda * divergence[groups[items[p]!]!]!;
      if (value > bestValue) {
        bestValue = value;
        best = p;
      }
    }
    taken[best] = 1;
    out[step] = items[best]!;
    counts[groups[items[best]!]!]!++;
  }
  let at = take;
  for (let p = 0; p < n; p++) if (!taken[p]) out[at++] = items[p]!;
  return out;
}
