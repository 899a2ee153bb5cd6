import { Rng } from '../math/rng.js';
import { Interactions } from './interactions.js';

/**
 * A seeded catalogue with planted taste, at any size (the scale benchmark goes to 10^6 items and 10^7
 * events): `clusters` taste clusters with centres on the unit sphere in `dim` dimensions; each item and
 * user belongs to one cluster and has the centre plus Gaussian noise of norm about `noise`; an item's
 * vector is scaled by a log-normal appeal (so inner products, not angles, decide: long vectors are
 * popular items). Events: each user draws from their own cluster's items with probability `pOwn`
 * (weighted by appeal), otherwise from any item by appeal. Quality is measurable: a model should put a
 * user's own cluster first, and a vector index is checked against the exact inner-product top-k.
 */
export interface PlantedTasteOptions {
  users: number;
  items: number;
  dim?: number;
  clusters?: number;
  /** mean events per user (0 = vectors only) */
  eventsPerUser?: number;
  pOwn?: number;
  noise?: number;
  seed?: number;
}

export interface PlantedTaste {
  dim: number;
  itemVectors: Float32Array;
  userVectors: Float32Array;
  itemCluster: Int32Array;
  userCluster: Int32Array;
  /** implicit events (value 1, ts = order of drawing) */
  events: Interactions;
}

export function plantedTaste(o: PlantedTasteOptions): PlantedTaste {
  const dim = o.dim ?? 64;
  const clusters = o.clusters ?? Math.max(8, Math.round(Math.sqrt(o.items) / 4));
  const noise = o.noise ?? 0.6;
  const pOwn = o.pOwn ?? 0.8;
  const rng = new Rng(o.seed ?? 42);
  const centres = new Float32Array(clusters * dim);
  for (let c = 0; c < clusters; c++) unitGaussian(rng, centres, c * dim, dim, 1);

  const itemVectors = new Float32Array(o.items * dim);
  const itemCluster = new Int32Array(o.items);
  const appeal = new Float64Array(o.items);
  for (let i = 0; i < o.items; i++) {
    const c = rng.int(clusters);
    itemCluster[i] = c;
    appeal[i] = Math.exp(0.5 * rng.normal());
    member(rng, centres, c, itemVectors, i, dim, noise, appeal[i]!);
  }
  const userVectors = new Float32Array(o.users * dim);
  const userCluster = new Int32Array(o.users);
  for (let u = 0; u < o.users; u++) {
    const c = rng.int(clusters);
    userCluster[u] = c;
    member(rng, centres, c, userVectors, u, dim, noise, 1);
  }

  const perUser = o.eventsPerUser ?? 0;
  if (perUser <= 0) return { dim, itemVectors, userVectors, itemCluster, userCluster, events: Interactions.empty() };
  // cumulative appeal, overall and per cluster (items of a cluster listed contiguously), for O(log n) draws
  const order = Int32Array.from({ length: o.items }, (_, i) => i).sort((a, b) => itemCluster[a]! - itemCluster[b]! || a - b);
  const start = new Int32Array(clusters + 1);
  for (let i = 0; i < o.items; i++) start[itemCluster[i]! + 1]!++;
  for (let c = 0; c < clusters; c++) start[c + 1]! += start[c]!;
  const cum = new Float64Array(o.items);
  for (let c = 0; c < clusters; c++) {
    let s = 0;
    for (let p = start[c]!; p < start[c + 1]!; p++) cum[p] = s += appeal[order[p]!]!;
  }
  const all = new Float64Array(o.items);
  let s = 0;
  for (let i = 0; i < o.items; i++) all[i] = s += appeal[i]!;

  const counts = new Int32Array(o.users);
  let total = 0;
  for (let u = 0; u < o.users; u++) total += counts[u] = 1 + Math.floor(-Math.log(1 - rng.next()) * (perUser - 1)); // geometric-like, mean perUser
  const user = new Int32Array(total);
  const item = new Int32Array(total);
  let at = 0;
  for (let u = 0; u < o.users; u++) {
    const c = userCluster[u]!;
    for (let e = 0; e < counts[u]!; e++) {
      user[at] = u;
      if (rng.next() < pOwn && start[c + 1]! > start[c]!) {
        const lo = start[c]!;
        const hi = start[c + 1]!;
        item[at] = order[search(cum, lo, hi, rng.next() * cum[hi - 1]!)]!;
      } else {
        item[at] = search(all, 0, o.items, rng.next() * all[o.items - 1]!);
      }
      at++;
    }
  }
  const ts = Float64Array.from({ length: total }, (_, k) => k);
  return { dim, itemVectors, userVectors, itemCluster, userCluster, events: new Interactions(user, item, new Float32Array(total).fill(1), ts) };
}

/** The first p in [lo, hi) with cum[p] >= target (cum ascending). */
function search(cum: Float64Array, lo: number, hi: number, target: number): number {
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (cum[mid]! >= target) b = mid;
    else a = mid + 1;
  }
  return a;
}

function unitGaussian(rng: Rng, out: Float32Array, o: number, dim: number, norm: number): void {
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const v = rng.normal();
    out[o + k] = v;
    s += v * v;
  }
  const f = norm / Math.sqrt(s || 1);
  for (let k = 0; k < dim; k++) out[o + k]! *= f;
}

function member(rng: Rng, centres: Float32Array, c: number, out: Float32Array, row: number, dim: number, noise: number, scale: number): void {
  const o = row * dim;
  unitGaussian(rng, out, o, dim, noise);
  for (let k = 0; k < dim; k++) out[o + k] = (out[o + k]! + centres[c * dim + k]!) * scale;
}
