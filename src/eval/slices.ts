import type { AttributeTable } from '../data/attributes.js';
import { N_RANKING, RANKING_METRICS } from './metrics.js';
import type { RankOutput } from './rank-users.js';

/**
 * Averaging per-user results, overall and per slice. Every mean is summed in user order, so the same
 * per-user values give bit-identical metrics whatever the thread split.
 */

/** Metrics of one group of users (user slices) or one group of items (item slices). */
export interface SliceReport {
  /** what the slices split by: 'user activity', 'item popularity', 'user <column>' */
  group: string;
  name: string;
  /** users averaged over */
  users: number;
  /** items in the group (item slices) */
  items?: number;
  metrics: Record<string, number>;
}

/** Mean ranking metrics, auc and gauc over the evaluated users (nRel > 0) for which keep(row) holds. */
export function summarize(out: RankOutput, ks: readonly number[], keep: (row: number) => boolean = () => true): {
  users: number;
  metrics: Record<string, number>;
} {
  const nK = ks.length;
  const sums = new Float64Array(nK * N_RANKING);
  let users = 0;
  let aucSum = 0;
  let aucUsers = 0;
  let gaucSum = 0;
  let gaucWeight = 0;
  for (let row = 0; row < out.nRel.length; row++) {
    const nRel = out.nRel[row]!;
    if (nRel === 0 || !keep(row)) continue;
    users++;
    const at = row * nK * N_RANKING;
    for (let m = 0; m < nK * N_RANKING; m++) sums[m]! += out.metrics[at + m]!;
    const auc = out.auc[row]!;
    if (!Number.isNaN(auc)) {
      aucSum += auc;
      aucUsers++;
      gaucSum += auc * nRel;
      gaucWeight += nRel;
    }
  }
  const metrics: Record<string, number> = {
    auc: aucUsers ? aucSum / aucUsers : NaN,
    gauc: gaucWeight ? gaucSum / gaucWeight : NaN,
  };
  for (let k = 0; k < nK; k++) {
    for (let m = 0; m < N_RANKING; m++) metrics[`${RANKING_METRICS[m]}@${ks[k]}`] = users ? sums[k * N_RANKING + m]! / users : NaN;
  }
  return { users, metrics };
}

/**
 * Users split into three quantile buckets by their number of train events (cut at the 1/3 and 2/3
 * quantiles of the evaluated users; equal counts stay together, so a bucket may be empty and is then
 * left out). Named by the range they cover, e.g. "users 20-39 train events".
 */
export function activitySlices(out: RankOutput, ks: readonly number[], trainCount: Int32Array): SliceReport[] {
  const counts: number[] = [];
  for (let row = 0; row < out.nRel.length; row++) if (out.nRel[row]! > 0) counts.push(trainCount[row]!);
  if (counts.length === 0) return [];
  const sorted = Int32Array.from(counts).sort();
  const cuts = [sorted[Math.floor(sorted.length / 3)]!, sorted[Math.floor((2 * sorted.length) / 3)]!];
  const bucketOf = (c: number): number => (c < cuts[0]! ? 0 : c < cuts[1]! ? 1 : 2);
  const slices: SliceReport[] = [];
  for (let b = 0; b < 3; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of counts) {
      if (bucketOf(c) === b) {
        lo = Math.min(lo, c);
        hi = Math.max(hi, c);
      }
    }
    if (lo > hi) continue;
    const { users, metrics } = summarize(out, ks, (row) => bucketOf(trainCount[row]!) === b);
    slices.push({ group: 'user activity', name: `users ${lo === hi ? lo : `${lo}-${hi}`} train events`, users, metrics });
  }
  return slices;
}

/** A categorical user column with a few values (gender, age group...) gives one slice per value. */
export function demographicSlices(
  out: RankOutput,
  ks: readonly number[],
  users: Int32Array,
  userTable: AttributeTable | undefined,
  maxValues = 12,
): SliceReport[] {
  const slices: SliceReport[] = [];
  for (const [name, col] of userTable?.columns ?? []) {
    if (col.kind !== 'categorical' || col.vocab.length < 2 || col.vocab.length > maxValues) continue;
    for (let v = 0; v < col.vocab.length; v++) {
      const { users: n, metrics } = summarize(out, ks, (row) => col.codes[users[row]!] === v);
      if (n > 0) slices.push({ group: `user ${name}`, name: `${name} = ${col.vocab[v]}`, users: n, metrics });
    }
  }
  return slices;
}

export const BUCKET_NAMES = ['head', 'mid', 'tail'] as const;

/**
 * Items by train popularity, most popular first (ties by id): head = the most popular items holding
 * the first third of train events, mid = the next third, tail = the rest (never-seen items included).
 */
export function popularityBuckets(pop: Int32Array): Uint8Array {
  const n = pop.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += pop[i]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => pop[b]! - pop[a]! || a - b);
  const bucket = new Uint8Array(n).fill(2);
  let before = 0;
  for (const i of order) {
    if (total > 0 && before < total / 3) bucket[i] = 0;
    else if (total > 0 && before < (2 * total) / 3) bucket[i] = 1;
    else break;
    before += pop[i]!;
  }
  return bucket;
}

/**
 * Per popularity bucket and K: recall@K and hit@K with the relevant items restricted to the bucket
 * (over users with a relevant item there), and share@K, the share of all recommendations in it.
 */
export function itemSlices(out: RankOutput, ks: readonly number[], bucket: Uint8Array, pop: Int32Array): SliceReport[] {
  const nB = BUCKET_NAMES.length;
  const nK = ks.length;
  const maxK = ks[nK - 1]!;
  const size = new Int32Array(nB);
  const events = new Float64Array(nB);
  let total = 0;
  for (let i = 0; i < bucket.length; i++) {
    size[bucket[i]!]!++;
    events[bucket[i]!]! += pop[i]!;
    total += pop[i]!;
  }
  const slices: SliceReport[] = [];
  for (let b = 0; b < nB; b++) {
    if (size[b] === 0) continue;
    const metrics: Record<string, number> = {};
    let users = 0;
    for (let k = 0; k < nK; k++) {
      let recall = 0;
      let hit = 0;
      let inBucket = 0;
      let shown = 0;
      users = 0;
      for (let row = 0; row < out.nRel.length; row++) {
        if (out.nRel[row] === 0) continue;
        for (let p = 0; p < ks[k]!; p++) {
          const i = out.top[row * maxK + p]!;
          if (i < 0) break;
          shown++;
          if (bucket[i] === b) inBucket++;
        }
        const rel = out.bucketRel[row * nB + b]!;
        if (rel === 0) continue;
        users++;
        const hits = out.bucketHits[(row * nK + k) * nB + b]!;
        recall += hits / rel;
        if (hits > 0) hit++;
      }
      metrics[`recall@${ks[k]}`] = users ? recall / users : NaN;
      metrics[`hit@${ks[k]}`] = users ? hit / users : NaN;
      metrics[`share@${ks[k]}`] = shown ? inBucket / shown : 0;
    }
    const pct = total > 0 ? ((100 * events[b]!) / total).toFixed(1) : '0';
    slices.push({
      group: 'item popularity',
      name: `${BUCKET_NAMES[b]} (${size[b]} items, ${pct}% of train events)`,
      users,
      items: size[b]!,
      metrics,
    });
  }
  return slices;
}
