import type { AttributeTable, Column } from '../data/attributes.js';
import type { Csr } from '../data/csr.js';
import { sparseDot } from '../features/block.js';

/** Pairwise item similarity (0..1) for intra-list diversity, summed over the pairs of one list. */
export interface ListSimilarity {
  /** sum over pairs p < q of sim(items[p], items[q]) */
  sumPairs(items: Int32Array): number;
}

/** Jaccard similarity of the items' label sets (a multi-valued column); 0 when both are empty. */
export function jaccardSimilarity(column: Extract<Column, { kind: 'multi' }>): ListSimilarity {
  const { indptr, codes } = column;
  return {
    sumPairs(items) {
      let s = 0;
      for (let p = 0; p < items.length; p++) {
        const a = items[p]!;
        const aFrom = indptr[a]!;
        const aTo = indptr[a + 1]!;
        for (let q = p + 1; q < items.length; q++) {
          const b = items[q]!;
          let common = 0;
          // label lists are a handful of codes each: a nested scan beats sorting
          for (let x = aFrom; x < aTo; x++) {
            for (let y = indptr[b]!; y < indptr[b + 1]!; y++) if (codes[x] === codes[y]) common++;
          }
          const union = aTo - aFrom + (indptr[b + 1]! - indptr[b]!) - common;
          if (union > 0) s += common / union;
        }
      }
      return s;
    },
  };
}

/** Above this many distinct recommended items the co-occurrence table would be too large (4096: 32 MB). */
const MAX_TABLE_ITEMS = 4096;

/**
 * Cosine similarity of the items' binary train user-vectors (rows of the item x user CSR):
 * |U_a and U_b| / sqrt(|U_a| |U_b|); 0 when an item has no train user.
 *
 * Recommended lists repeat the same (popular) items over and over, so when the distinct recommended
 * items (`recommended`) are few enough their co-occurrence counts are computed once, in one pass over
 * the users' histories; otherwise each list is counted on its own.
 */
export function cosineSimilarity(byItem: Csr, recommended?: Int32Array, byUser?: Csr): ListSimilarity {
  if (recommended && recommended.length <= MAX_TABLE_ITEMS) return cosineTable(byItem, recommended, byUser ?? byItem.transpose());
  return cosinePerList(byItem);
}

/** Co-occurrence counts of the recommended items, upper triangle, from the user x item CSR (byItem transposed). */
function cosineTable(byItem: Csr, recommended: Int32Array, byUser: Csr): ListSimilarity {
  const R = recommended.length;
  const slot = new Int32Array(byItem.nRows).fill(-1);
  recommended.forEach((item, s) => (slot[item] = s));
  const tri = (a: number, b: number): number => (a * (2 * R - a - 1)) / 2 + (b - a - 1); // a < b
  const common = new Int32Array((R * (R - 1)) / 2);
  const seen = new Int32Array(R);
  // sum over users of n^2 / 2 increments (n = their recommended items): the whole cost, so the inner loop
  // walks one row of the triangle with ascending slots
  for (let v = 0; v < byUser.nRows; v++) {
    let n = 0;
    for (let t = byUser.indptr[v]!; t < byUser.indptr[v + 1]!; t++) {
      const s = slot[byUser.indices[t]!]!;
      if (s >= 0) seen[n++] = s;
    }
    seen.subarray(0, n).sort();
    for (let p = 0; p < n; p++) {
      const rowStart = tri(seen[p]!, 0); // + b is tri(a, b) for b > a
      for (let q = p + 1; q < n; q++) common[rowStart + seen[q]!]!++;
    }
  }
  const fallback = cosinePerList(byItem);
  const { indptr } = byItem;
  return {
    sumPairs(items) {
      let sum = 0;
      for (let p = 0; p < items.length; p++) {
        const a = slot[items[p]!]!;
        if (a < 0) return fallback.sumPairs(items); // an item outside the table: count this list directly
        const la = indptr[items[p]! + 1]! - indptr[items[p]!]!;
        for (let q = p + 1; q < items.length; q++) {
          const b = slot[items[q]!]!;
          if (b < 0) return fallback.sumPairs(items);
          const lb = indptr[items[q]! + 1]! - indptr[items[q]!]!;
          if (la > 0 && lb > 0) sum += common[a < b ? tri(a, b) : tri(b, a)]! / Math.sqrt(la * lb);
        }
      }
      return sum;
    },
  };
}

/**
 * All pairwise overlaps of one list in one pass over its items' rows: each user keeps a bitmask of
 * the list positions seen so far, so the cost is the total row length plus the co-occurrences, not
 * K^2 row merges.
 */
function cosinePerList(byItem: Csr): ListSimilarity {
  const nUsers = byItem.nCols;
  const { indptr, indices } = byItem;
  let words = 0;
  let masks = new Uint32Array(0);
  let overlap = new Int32Array(0);
  return {
    sumPairs(items) {
      const L = items.length;
      const w = (L + 31) >>> 5;
      if (w > words) {
        words = w;
        masks = new Uint32Array(nUsers * w);
      }
      if (overlap.length < L * L) overlap = new Int32Array(L * L);
      overlap.fill(0, 0, L * L);
      for (let p = 0; p < L; p++) {
        const a = items[p]!;
        for (let t = indptr[a]!; t < indptr[a + 1]!; t++) {
          const base = indices[t]! * words;
          for (let x = 0; x < w; x++) {
            let m = masks[base + x]!;
            while (m !== 0) {
              const bit = m & -m;
              overlap[(x * 32 + 31 - Math.clz32(bit)) * L + p]!++;
              m ^= bit;
            }
          }
          masks[base + (p >>> 5)]! |= 1 << (p & 31);
        }
      }
      let s = 0;
      for (let p = 0; p < L; p++) {
        const a = items[p]!;
        const la = indptr[a + 1]! - indptr[a]!;
        for (let t = indptr[a]!; t < indptr[a + 1]!; t++) masks.fill(0, indices[t]! * words, indices[t]! * words + w);
        for (let q = p + 1; q < L; q++) {
          const lb = indptr[items[q]! + 1]! - indptr[items[q]!]!;
          if (la > 0 && lb > 0) s += overlap[p * L + q]! / Math.sqrt(la * lb);
        }
      }
      return s;
    },
  };
}

/**
 * Cosine of items in an embedding whose rows are L2-normalised (latent-item-space.ts); a negative
 * cosine counts as 0, so the similarity stays in 0..1 like the others.
 */
export function embeddingSimilarity(space: Csr): ListSimilarity {
  return {
    sumPairs(items) {
      let s = 0;
      for (let p = 0; p < items.length; p++) {
        for (let q = p + 1; q < items.length; q++) s += Math.max(0, sparseDot(space, items[p]!, space, items[q]!));
      }
      return s;
    },
  };
}

export const CF_BASIS = 'cosine of train user-vectors';

/** The item features diversity uses: the first multi-valued column among these names. */
const LABEL_COLUMNS = ['genres', 'tags', 'attributes'];

/**
 * Jaccard of item labels when the item table has them (genres, else tags, else attributes), else
 * cosine of train user-vectors. `recommended` = the distinct items of all lists (speeds up cosine), `byUser`
 * = byItem transposed when the caller has it.
 */
export function itemSimilarityFor(
  byItem: Csr,
  itemTable?: AttributeTable,
  recommended?: Int32Array,
  byUser?: Csr,
): { sim: ListSimilarity; basis: string } {
  for (const name of LABEL_COLUMNS) {
    const col = itemTable?.get(name);
    if (col?.kind === 'multi' && col.indptr.length === byItem.nRows + 1) {
      return { sim: jaccardSimilarity(col), basis: `jaccard of item ${name}` };
    }
  }
  return { sim: cosineSimilarity(byItem, recommended, byUser), basis: CF_BASIS };
}
