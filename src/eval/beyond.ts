import type { AttributeTable } from '../data/attributes.js';
import type { Csr } from '../data/csr.js';
import { CF_BASIS, cosineSimilarity, embeddingSimilarity, itemSimilarityFor, type ListSimilarity } from './item-similarity.js';

/**
 * Beyond-accuracy metrics over all users' top-K lists (item ids, best first; a list may be shorter
 * than K). Only the first K entries of each list count. Popularity is the train interaction count.
 */

/** Share of the catalogue recommended to at least one user: distinct items / nItems. */
export function coverage(lists: readonly Int32Array[], k: number, nItems: number): number {
  const seen = new Uint8Array(nItems);
  let distinct = 0;
  for (const list of lists) {
    for (let p = 0; p < Math.min(k, list.length); p++) {
      if (!seen[list[p]!]) {
        seen[list[p]!] = 1;
        distinct++;
      }
    }
  }
  return nItems > 0 ? distinct / nItems : 0;
}

/**
 * Mean self-information of recommended items, -log2(pop_i / nUsers) (Zhou et al. 2010): high when
 * the lists hold items few users know. Items never seen in train count as pop 1. Averaged within each
 * list, then over lists.
 */
export function novelty(lists: readonly Int32Array[], k: number, itemPop: Int32Array, nUsers: number): number {
  return meanOverLists(lists, k, (i) => -Math.log2(Math.max(1, itemPop[i]!) / nUsers));
}

/**
 * Popularity percentile of every item within the catalogue, 0 = least popular, 1 = most popular:
 * its 0-based mid-rank among items sorted by train count (ties share their mean rank) / (nItems - 1);
 * a one-item catalogue gives 0.5.
 */
export function popularityPercentiles(itemPop: Int32Array): Float64Array {
  const n = itemPop.length;
  const sorted = Int32Array.from(itemPop).sort();
  const out = new Float64Array(n);
  if (n === 1) out[0] = 0.5;
  for (let i = 0; n > 1 && i < n; i++) {
    const below = lowerBound(sorted, itemPop[i]!);
    const ties = lowerBound(sorted, itemPop[i]! + 1) - below;
    out[i] = (below + (ties - 1) / 2) / (n - 1);
  }
  return out;
}

/** Mean popularity percentile of recommended items (popularity bias: 1 = only the most popular). */
export function meanPopularity(lists: readonly Int32Array[], k: number, percentile: Float64Array): number {
  return meanOverLists(lists, k, (i) => percentile[i]!);
}

/**
 * Gini coefficient of exposure: how unequally recommendation slots spread over all nItems catalogue
 * items (never-recommended items count with 0). 0 = every item shown equally often; (n-1)/n = one item
 * takes every slot. With exposures sorted ascending c_1..c_n: sum_j (2j - n - 1) c_j / (n sum c).
 */
export function gini(lists: readonly Int32Array[], k: number, nItems: number): number {
  const exposure = new Int32Array(nItems);
  let total = 0;
  for (const list of lists) {
    for (let p = 0; p < Math.min(k, list.length); p++) {
      exposure[list[p]!]!++;
      total++;
    }
  }
  if (total === 0 || nItems === 0) return 0;
  exposure.sort();
  let s = 0;
  for (let j = 1; j <= nItems; j++) s += (2 * j - nItems - 1) * exposure[j - 1]!;
  return s / (nItems * total);
}

/**
 * Intra-list diversity (Ziegler et al. 2005): the mean pairwise distance 1 - sim within each list,
 * averaged over lists with at least two items.
 */
export function diversity(lists: readonly Int32Array[], k: number, sim: ListSimilarity): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    const top = list.subarray(0, Math.min(k, list.length));
    const L = top.length;
    if (L < 2) continue;
    const pairs = (L * (L - 1)) / 2;
    sum += 1 - sim.sumPairs(top) / pairs;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/** Item popularity = train interaction count (row lengths of the item x user CSR). */
export function itemPopularity(byItem: Csr): Int32Array {
  const pop = new Int32Array(byItem.nRows);
  for (let i = 0; i < byItem.nRows; i++) pop[i] = byItem.indptr[i + 1]! - byItem.indptr[i]!;
  return pop;
}

/**
 * coverage@K, novelty@K, diversity@K (over item labels when there are any), diversity_cf@K (always
 * over the cosine of train user-vectors), diversity_latent@K (when given a taste space: cosine of items'
 * rows in it, latent-item-space.ts), popularity@K, gini@K for every K. `byUser` (byItem transposed) saves
 * transposing it when the caller has it.
 */
export function beyondAccuracy(
  lists: readonly Int32Array[],
  ks: readonly number[],
  byItem: Csr,
  itemTable?: AttributeTable,
  latentSpace?: Csr,
  byUser?: Csr,
): Record<string, number> {
  const nItems = byItem.nRows;
  const pop = itemPopularity(byItem);
  const percentile = popularityPercentiles(pop);
  const recommended = distinctItems(lists, nItems);
  const { sim, basis } = itemSimilarityFor(byItem, itemTable, recommended, byUser);
  const cf = basis === CF_BASIS ? sim : cosineSimilarity(byItem, recommended, byUser);
  const out: Record<string, number> = {};
  for (const k of ks) {
    out[`coverage@${k}`] = coverage(lists, k, nItems);
    out[`novelty@${k}`] = novelty(lists, k, pop, byItem.nCols);
    out[`diversity@${k}`] = diversity(lists, k, sim);
    out[`diversity_cf@${k}`] = diversity(lists, k, cf);
    if (latentSpace) out[`diversity_latent@${k}`] = diversity(lists, k, embeddingSimilarity(latentSpace));
    out[`popularity@${k}`] = meanPopularity(lists, k, percentile);
    out[`gini@${k}`] = gini(lists, k, nItems);
  }
  return out;
}

/** The distinct items of all lists, ascending. */
function distinctItems(lists: readonly Int32Array[], nItems: number): Int32Array {
  const seen = new Uint8Array(nItems);
  for (const list of lists) for (const i of list) seen[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < nItems; i++) if (seen[i]) out.push(i);
  return Int32Array.from(out);
}

function meanOverLists(lists: readonly Int32Array[], k: number, value: (item: number) => number): number {
  let sum = 0;
  let n = 0;
  for (const list of lists) {
    const L = Math.min(k, list.length);
    if (L === 0) continue;
    let s = 0;
    for (let p = 0; p < L; p++) s += value(list[p]!);
    sum += s / L;
    n++;
  }
  return n > 0 ? sum / n : 0;
}

function lowerBound(sorted: Int32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
