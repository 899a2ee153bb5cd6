/**
 * Per-user accuracy metrics, pure functions on typed arrays (RecBole's definitions).
 *
 * Ranking metrics take the user's top-K list (item ids, best first; it may be shorter than K when
 * fewer items could be ranked), a relevance mask over items (non-zero = a test item of the user) and
 * the number of relevant items. Averaging over users is the evaluator's job.
 */

/** The ranking metrics computed at every K, in the order they are stored per (user, K). */
export const RANKING_METRICS = ['recall', 'precision', 'ndcg', 'map', 'mrr', 'hit'] as const;
export type RankingMetric = (typeof RANKING_METRICS)[number];
export const N_RANKING = RANKING_METRICS.length;

/**
 * All ranking metrics at every K of `ks` (ascending) in one pass over the list, written to
 * out[offset + kIndex * N_RANKING + metricIndex]:
 * - recall@K    = hits / |rel|                 (RecBole; not hits / min(|rel|, K))
 * - precision@K = hits / K                     (K, even when the list is shorter)
 * - ndcg@K      = DCG / IDCG, binary gains 1/log2(rank+1), IDCG over min(|rel|, K) hits at the top
 * - map@K       = sum over hit ranks r of precision@r, divided by min(|rel|, K)
 * - mrr@K       = 1 / rank of the first hit (0 without one)
 * - hit@K       = 1 when there is at least one hit
 */
export function rankingMetricsAt(
  top: Int32Array,
  relevant: Uint8Array,
  nRelevant: number,
  ks: readonly number[],
  out: Float64Array,
  offset = 0,
): void {
  let hits = 0;
  let dcg = 0;
  let precisionSum = 0;
  let firstHit = 0;
  let kIndex = 0;
  const maxK = ks[ks.length - 1] ?? 0;
  for (let p = 0; p < maxK && kIndex < ks.length; p++) {
    if (p < top.length && relevant[top[p]!]) {
      hits++;
      dcg += 1 / Math.log2(p + 2);
      precisionSum += hits / (p + 1);
      if (firstHit === 0) firstHit = p + 1;
    }
    while (kIndex < ks.length && ks[kIndex] === p + 1) {
      const k = p + 1;
      const at = offset + kIndex * N_RANKING;
      const ideal = Math.min(nRelevant, k);
      out[at] = hits / nRelevant;
      out[at + 1] = hits / k;
      out[at + 2] = hits > 0 ? dcg / idealDcg(ideal) : 0;
      out[at + 3] = precisionSum / ideal;
      out[at + 4] = firstHit > 0 ? 1 / firstHit : 0;
      out[at + 5] = hits > 0 ? 1 : 0;
      kIndex++;
    }
  }
}

/** DCG of n hits at ranks 1..n. */
export function idealDcg(n: number): number {
  let s = 0;
  for (let p = 0; p < n; p++) s += 1 / Math.log2(p + 2);
  return s;
}

/**
 * Per-user AUC: the probability that a relevant item scores above a non-relevant candidate, ties
 * counting one half. Candidates are all items not excluded (excluded[i] non-zero); the relevant items
 * must be candidates. NaN scores count as -Infinity. Returns NaN when the user has no non-relevant
 * candidate (AUC undefined).
 *
 * One counting pass over the n candidates, O(n log P) for P relevant items, never O(n P) nor a sort
 * of the candidates: only the P relevant scores are sorted (into `scratch`), and each candidate counts
 * the relevant items above it (ties one half) - P for a candidate below them all, 0 above them all,
 * else a branch-free binary search over the sorted scores padded with +Infinity to a power of two.
 * The sum runs over all candidates, relevant ones included, and the relevant-vs-relevant part is
 * removed exactly: over any P scores, sum_{a,b} ([s_b > s_a] + [s_b = s_a] / 2) = P^2 / 2. Every term
 * is a multiple of 1/2, so the sum is exact and the result does not depend on the summation order.
 *
 * The evaluator reports `auc` = mean of this over users, and `gauc` = RecBole's GAUC, the mean
 * weighted by each user's number of relevant (test) items: sum_u auc_u |rel_u| / sum_u |rel_u|;
 * users whose AUC is undefined are left out of both.
 */
export function userAuc(scores: Float32Array, relevantItems: Int32Array, excluded?: Uint8Array, scratch?: Float64Array): number {
  const P = relevantItems.length;
  if (P === 0) return NaN;
  let size = 1;
  while (size < P) size <<= 1;
  const sorted = scratch !== undefined && scratch.length >= size ? scratch : new Float64Array(size);
  for (let t = 0; t < P; t++) sorted[t] = orLowest(scores[relevantItems[t]!]!);
  sorted.subarray(0, P).sort();
  sorted.fill(Infinity, P, size);
  const lowest = sorted[0]!;
  const highest = sorted[P - 1]!;
  const n = scores.length;
  let beaten = 0; // sum over candidates of (#relevant above + #relevant tied / 2)
  let candidates = 0;
  // scores repeat a lot (zeros, equal popularity): the last located score is reused
  let lastScore = NaN;
  let lastBeaten = 0;
  for (let i = 0; i < n; i++) {
    if (excluded !== undefined && excluded[i] !== 0) continue;
    candidates++;
    const raw = scores[i]!;
    const s = raw === raw ? raw : -Infinity;
    if (s < lowest) beaten += P;
    else if (s > highest) continue;
    else if (s === lastScore) beaten += lastBeaten;
    else {
      // below = #relevant < s (at most P - 1 here, as s <= highest)
      let below = 0;
      for (let half = size >> 1; half > 0; half >>= 1) below = sorted[below + half - 1]! < s ? below + half : below;
      // notAbove = #relevant <= s: a second search, not a walk over the ties (P ties would cost O(P) per candidate)
      let notAbove = P; // s === highest: every relevant score is <= s
      if (s < highest) {
        notAbove = 0; // at most P - 1, so the search over `size` slots reaches it
        for (let half = size >> 1; half > 0; half >>= 1) notAbove = sorted[notAbove + half - 1]! <= s ? notAbove + half : notAbove;
      }
      lastScore = s;
      lastBeaten = P - notAbove + (notAbove - below) / 2;
      beaten += lastBeaten;
    }
  }
  const negatives = candidates - P;
  if (negatives <= 0) return NaN;
  return (beaten - (P * P) / 2) / (P * negatives);
}

function orLowest(s: number): number {
  return s === s ? s : -Infinity;
}

/** Root mean squared error and mean absolute error of predictions against true ratings. */
export function ratingErrors(predicted: ArrayLike<number>, actual: ArrayLike<number>): { rmse: number; mae: number } {
  const n = actual.length;
  if (predicted.length !== n) throw new RangeError('predicted and actual must have equal lengths');
  let se = 0;
  let ae = 0;
  for (let r = 0; r < n; r++) {
    const e = predicted[r]! - actual[r]!;
    se += e * e;
    ae += Math.abs(e);
  }
  return n === 0 ? { rmse: NaN, mae: NaN } : { rmse: Math.sqrt(se / n), mae: ae / n };
}
