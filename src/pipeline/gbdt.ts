/**
 * Gradient-boosted decision trees (Friedman 2001) for the pipeline's learned ranker, histogram-based
 * as LightGBM / XGBoost "hist": each feature is cut into at most `bins` quantile bins once, so finding a
 * split is a pass over bin sums instead of a sort. Trees are complete binary trees of fixed `depth`
 * grown level by level with second-order (Newton) leaf values -G / (H + l2).
 *
 * Losses: 'logistic' (pointwise: is this candidate a held-out item) and 'pairwise' (LambdaRank, Burges
 * 2010: within each query, every (relevant, non-relevant) pair pushes by the RankNet gradient times the
 * |change in NDCG| of swapping the two, so pairs near the top count most).
 *
 * FLOPs per tree: depth x n x d histogram adds, plus nodes x d x bins for the split search.
 */
export interface GbdtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** at most 255 */
  bins: number;
  /** fewest training rows in a child for a split */
  minLeaf: number;
  l2: number;
  loss: 'logistic' | 'pairwise';
}

export class Gbdt {
  private constructor(
    readonly d: number,
    readonly depth: number,
    /** per tree, 2^depth - 1 internal nodes (heap order): feature (-1 = no split, all go left) */
    readonly feature: Int32Array,
    /** go left when x < threshold */
    readonly threshold: Float32Array,
    /** per tree, 2^depth leaves */
    readonly leaf: Float32Array,
    readonly base: number,
  ) {}

  get trees(): number {
    return this.leaf.length >> this.depth;
  }

  /**
   * Fits on n rows of d features (row-major), labels in {0, 1}. `groups` (pairwise only): row offsets of
   * each query, rows of one query contiguous (groups[q] .. groups[q + 1]).
   */
  static fit(x: Float32Array, y: Float32Array, d: number, options: GbdtOptions, groups?: Int32Array): Gbdt {
    const n = y.length;
    if (x.length !== n * d) throw new RangeError(`gbdt: ${x.length} values for ${n} rows x ${d} features`);
    if (options.loss === 'pairwise' && !groups) throw new RangeError('gbdt: the pairwise loss needs query groups');
    const depth = options.depth;
    const internal = (1 << depth) - 1;
    const leaves = 1 << depth;
    const edges = Array.from({ length: d }, (_, f) => quantileEdges(x, n, d, f, Math.min(255, options.bins)));
    const binned = new Uint8Array(n * d);
    for (let t = 0; t < n; t++) for (let f = 0; f < d; f++) binned[t * d + f] = binOf(edges[f]!, x[t * d + f]!);
    const maxBins = Math.max(1, ...edges.map((e) => e.length + 1));

    let positives = 0;
    for (let t = 0; t < n; t++) positives += y[t]!;
    const prior = Math.min(Math.max(positives / Math.max(1, n), 1e-6), 1 - 1e-6);
    const base = options.loss === 'logistic' ? Math.log(prior / (1 - prior)) : 0;
    const F = new Float64Array(n).fill(base);
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const node = new Int32Array(n);
    const feature = new Int32Array(options.trees * internal).fill(-1);
    const threshold = new Float32Array(options.trees * internal);
    const leaf = new Float32Array(options.trees * leaves);
    const histG = new Float64Array(leaves * d * maxBins);
    const histH = new Float64Array(leaves * d * maxBins);
    const histN = new Int32Array(leaves * d * maxBins);
    const splitBin = new Int32Array(internal);

    for (let tree = 0; tree < options.trees; tree++) {
      if (options.loss === 'logistic') logisticGradients(F, y, g, h);
      else lambdaGradients(F, y, groups!, g, h);
      node.fill(0);
      for (let level = 0; level < depth; level++) {
        const first = (1 << level) - 1;
        const width = 1 << level;
        histG.fill(0, 0, width * d * maxBins);
        histH.fill(0, 0, width * d * maxBins);
        histN.fill(0, 0, width * d * maxBins);
        for (let t = 0; t < n; t++) {
          const o = (node[t]! - first) * d * maxBins;
          for (let f = 0; f < d; f++) {
            const at = o + f * maxBins + binned[t * d + f]!;
            histG[at]! += g[t]!;
            histH[at]! += h[t]!;
            histN[at]!++;
          }
        }
        for (let w = 0; w < width; w++) {
          const nodeId = first + w;
          let best = 0;
          let bestF = -1;
          let bestBin = 0;
          for (let f = 0; f < d; f++) {
            const o = (w * d + f) * maxBins;
            let G = 0;
            let H = 0;
            let N = 0;
            for (let b = 0; b < maxBins; b++) {
              G += histG[o + b]!;
              H += histH[o + b]!;
              N += histN[o + b]!;
            }
            const parent = (G * G) / (H + options.l2);
            let GL = 0;
            let HL = 0;
            let NL = 0;
            for (let b = 0; b < edges[f]!.length; b++) {
              GL += histG[o + b]!;
              HL += histH[o + b]!;
              NL += histN[o + b]!;
              if (NL < options.minLeaf) continue;
              if (N - NL < options.minLeaf) break;
              const gain = (GL * GL) / (HL + options.l2) + ((G - GL) * (G - GL)) / (H - HL + options.l2) - parent;
              if (gain > best + 1e-12) {
                best = gain;
                bestF = f;
                bestBin = b;
              }
            }
          }
          feature[tree * internal + nodeId] = bestF;
          threshold[tree * internal + nodeId] = bestF >= 0 ? edges[bestF]![bestBin]! : 0;
          splitBin[nodeId] = bestBin;
        }
        for (let t = 0; t < n; t++) {
          const k = node[t]!;
          const f = feature[tree * internal + k]!;
          node[t] = 2 * k + (f >= 0 && binned[t * d + f]! > splitBin[k]! ? 2 : 1);
        }
      }
      const G = new Float64Array(leaves);
      const H = new Float64Array(leaves);
      for (let t = 0; t < n; t++) {
        G[node[t]! - internal]! += g[t]!;
        H[node[t]! - internal]! += h[t]!;
      }
      for (let l = 0; l < leaves; l++) leaf[tree * leaves + l] = H[l]! > 0 ? (-options.learningRate * G[l]!) / (H[l]! + options.l2) : 0;
      for (let t = 0; t < n; t++) F[t]! += leaf[tree * leaves + node[t]! - internal]!;
    }
    return new Gbdt(d, depth, feature, threshold, leaf, base);
  }

  /** The raw score (log-odds for 'logistic') of row x[o .. o + d). */
  predict(x: ArrayLike<number>, o = 0): number {
    const internal = (1 << this.depth) - 1;
    const leaves = 1 << this.depth;
    let s = this.base;
    for (let tree = 0, T = this.trees; tree < T; tree++) {
      let k = 0;
      while (k < internal) {
        const f = this.feature[tree * internal + k]!;
        k = 2 * k + (f >= 0 && !(x[o + f]! < this.threshold[tree * internal + k]!) ? 2 : 1);
      }
      s += this.leaf[tree * leaves + k - internal]!;
    }
    return s;
  }

  /** Split counts per feature over all trees: which inputs the ranker uses. */
  featureUse(): Int32Array {
    const out = new Int32Array(this.d);
    for (const f of this.feature) if (f >= 0) out[f]!++;
    return out;
  }

  toArrays(): { feature: Int32Array; threshold: Float32Array; leaf: Float32Array; shape: Float64Array } {
    return { feature: this.feature, threshold: this.threshold, leaf: this.leaf, shape: Float64Array.of(this.d, this.depth, this.base) };
  }

  static fromArrays(a: { feature: Int32Array; threshold: Float32Array; leaf: Float32Array; shape: Float64Array }): Gbdt {
    return new Gbdt(a.shape[0]!, a.shape[1]!, a.feature, a.threshold, a.leaf, a.shape[2]!);
  }
}

function logisticGradients(F: Float64Array, y: Float32Array, g: Float64Array, h: Float64Array): void {
  for (let t = 0; t < F.length; t++) {
    const p = 1 / (1 + Math.exp(-F[t]!));
    g[t] = p - y[t]!;
    h[t] = Math.max(p * (1 - p), 1e-6);
  }
}

/**
 * LambdaRank gradients: per query, RankNet pair gradients weighted by |delta NDCG| at the current ranks.
 * rho = 1 / (1 + e^(F_i - F_j)) is computed from e^F per row, one exp per row instead of per pair.
 */
function lambdaGradients(F: Float64Array, y: Float32Array, groups: Int32Array, g: Float64Array, h: Float64Array): void {
  g.fill(0);
  h.fill(0);
  const expF = Float64Array.from(F, (v) => Math.exp(Math.max(-30, Math.min(30, v))));
  const discount = new Float64Array(F.length);
  let order = new Int32Array(0);
  for (let q = 0; q + 1 < groups.length; q++) {
    const lo = groups[q]!;
    const hi = groups[q + 1]!;
    let relevant = 0;
    for (let t = lo; t < hi; t++) relevant += y[t]! > 0 ? 1 : 0;
    if (relevant === 0 || relevant === hi - lo) continue;
    if (order.length < hi - lo) order = new Int32Array(hi - lo);
    const o = order.subarray(0, hi - lo);
    for (let t = lo; t < hi; t++) o[t - lo] = t;
    o.sort((a, b) => F[b]! - F[a]! || a - b);
    for (let r = 0; r < o.length; r++) discount[o[r]!] = 1 / Math.log2(r + 2);
    let ideal = 0;
    for (let r = 0; r < relevant; r++) ideal += 1 / Math.log2(r + 2);
    for (let i = lo; i < hi; i++) {
      if (!(y[i]! > 0)) continue;
      for (let j = lo; j < hi; j++) {
        if (y[j]! > 0) continue;
        const delta = Math.abs(discount[i]! - discount[j]!) / ideal;
        const rho = 1 / (1 + expF[i]! / expF[j]!);
        g[i]! -= rho * delta;
        g[j]! += rho * delta;
        const w = Math.max(rho * (1 - rho) * delta, 1e-9);
        h[i]! += w;
        h[j]! += w;
      }
    }
  }
  for (let t = 0; t < h.length; t++) if (h[t] === 0) h[t] = 1e-9;
}

/** Up to bins - 1 distinct cut points at the feature's quantiles (x < edge[0] is bin 0). */
function quantileEdges(x: Float32Array, n: number, d: number, f: number, bins: number): Float32Array {
  const values = new Float32Array(n);
  for (let t = 0; t < n; t++) values[t] = x[t * d + f]!;
  values.sort();
  const out: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = values[Math.min(n - 1, Math.floor((b * n) / bins))]!;
    if (n > 0 && v > values[0]! && (out.length === 0 || v > out[out.length - 1]!)) out.push(v);
  }
  return Float32Array.from(out);
}

/** Number of edges <= v: the bin of v. */
function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
