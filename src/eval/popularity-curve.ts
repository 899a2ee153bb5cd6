/**
 * The popularity-bias curve (Abdollahpouri et al. 2019, "The Unfairness of Popularity Bias"): the
 * catalogue sorted by train popularity and cut into equal-size buckets, most popular first; for each
 * bucket, its share of train events (what the catalogue looks like) next to its share of the
 * recommendation slots (what the model shows). A model without popularity bias gives the tail buckets
 * at least their train share; a popularity-biased one gives nearly every slot to the first bucket.
 */
export interface PopularityCurve {
  /** items per bucket (most popular bucket first); they sum to the catalogue size */
  items: number[];
  /** mean train events per item of the bucket */
  mean_popularity: number[];
  /** share of all train events that fall on the bucket's items (sums to 1 when there are events) */
  train_share: number[];
  /** per K (key "5", "10"...): share of all top-K recommendation slots given to the bucket's items */
  recommended_share: Record<string, number[]>;
}

/**
 * The curve for the users' top-K lists (item ids, best first, only the first K entries count; a list
 * may be shorter) at every K, with `pop` the train count of each item. Items are ordered by count,
 * most popular first, ties by id (as the popularity slices are), and bucket b holds ranks
 * [floor(b n / B), floor((b + 1) n / B)) with B = min(buckets, n).
 */
export function popularityCurve(lists: readonly Int32Array[], ks: readonly number[], pop: Int32Array, buckets = 10): PopularityCurve {
  const n = pop.length;
  const nB = Math.max(0, Math.min(buckets, n));
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => pop[b]! - pop[a]! || a - b);
  const bucketOf = new Int32Array(n);
  const items = new Array<number>(nB).fill(0);
  const events = new Float64Array(nB);
  let total = 0;
  for (let b = 0; b < nB; b++) {
    for (let r = Math.floor((b * n) / nB); r < Math.floor(((b + 1) * n) / nB); r++) {
      const i = order[r]!;
      bucketOf[i] = b;
      items[b]!++;
      events[b]! += pop[i]!;
      total += pop[i]!;
    }
  }
  const recommended_share: Record<string, number[]> = {};
  for (const k of ks) {
    const slots = new Float64Array(nB);
    let shown = 0;
    for (const list of lists) {
      for (let p = 0; p < Math.min(k, list.length); p++) {
        slots[bucketOf[list[p]!]!]!++;
        shown++;
      }
    }
    recommended_share[String(k)] = Array.from(slots, (s) => (shown ? s / shown : 0));
  }
  return {
    items,
    mean_popularity: items.map((m, b) => (m ? events[b]! / m : 0)),
    train_share: Array.from(events, (e) => (total ? e / total : 0)),
    recommended_share,
  };
}
