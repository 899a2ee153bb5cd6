import { Csr } from '../data/csr.js';
import type { FeatureBlock } from './block.js';
import { columnLabel } from './categorical.js';

/**
 * Numeric attributes as features, two ways. Standardised: one feature, (x - mean) / std, for models
 * that read numbers linearly. Bucketed: the value's quantile bin as a one-hot feature ("year: 1993–1995"),
 * which a cosine over features can use (two films of the same era share a feature) and an explanation
 * can name. Missing values (NaN) give no feature.
 */

export interface Standardizer {
  mean: number;
  /** population standard deviation; 1 when the values are constant or absent */
  std: number;
}

export function fitStandardizer(values: ArrayLike<number>): Standardizer {
  let n = 0;
  let sum = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (!Number.isNaN(v)) {
      n++;
      sum += v;
    }
  }
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (!Number.isNaN(v)) ss += (v - mean) ** 2;
  }
  const std = n ? Math.sqrt(ss / n) : 0;
  return { mean, std: std > 0 ? std : 1 };
}

/** A one-feature block holding the z-score; missing values and values at the mean give no entry. */
export function standardBlock(column: string, values: ArrayLike<number>, s: Standardizer = fitStandardizer(values)): FeatureBlock {
  const n = values.length;
  const indptr = new Int32Array(n + 1);
  const data: number[] = [];
  for (let r = 0; r < n; r++) {
    const v = values[r]!;
    const z = Number.isNaN(v) ? 0 : (v - s.mean) / s.std;
    if (z !== 0) data.push(z);
    indptr[r + 1] = data.length;
  }
  return {
    column,
    names: [`${columnLabel(column)} (standardised)`],
    values: new Csr(n, 1, indptr, new Int32Array(data.length), Float32Array.from(data)),
  };
}

/** Quantile bins: bin b holds values in [edges[b-1], edges[b]); labels name the range of values seen in each. */
export interface Bins {
  /** ascending, distinct inner edges; bins = edges.length + 1 */
  edges: number[];
  labels: string[];
}

/**
 * Up to `bins` bins of roughly equal counts from the non-missing values; heavy ties give fewer bins
 * (an edge is never repeated).
 */
export function fitBins(column: string, values: ArrayLike<number>, bins: number, label = columnLabel(column)): Bins {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[]).sort();
  const n = sorted.length;
  const edges: number[] = [];
  for (let q = 1; q < bins && n > 0; q++) {
    const e = sorted[Math.floor((q * n) / bins)]!;
    if (e > sorted[0]! && (edges.length === 0 || e > edges[edges.length - 1]!)) edges.push(e);
  }
  const lo = new Float64Array(edges.length + 1).fill(Infinity);
  const hi = new Float64Array(edges.length + 1).fill(-Infinity);
  for (const v of sorted) {
    const b = binOf(edges, v);
    lo[b] = Math.min(lo[b]!, v);
    hi[b] = Math.max(hi[b]!, v);
  }
  const labels = Array.from(lo, (l, b) => {
    if (l === Infinity) return `${label}: ${b === 0 ? '<' : '≥'} ${formatNumber(b === 0 ? edges[0]! : edges[b - 1]!)}`;
    return l === hi[b] ? `${label}: ${formatNumber(l)}` : `${label}: ${formatNumber(l)}–${formatNumber(hi[b]!)}`;
  });
  return { edges, labels };
}

/** The bin of v: how many edges are <= v (binary search); -1 for NaN. */
export function binOf(edges: readonly number[], v: number): number {
  if (Number.isNaN(v)) return -1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One-hot block of the value's bin. */
export function bucketBlock(column: string, values: ArrayLike<number>, bins: Bins | number): FeatureBlock {
  const b = typeof bins === 'number' ? fitBins(column, values, bins) : bins;
  const n = values.length;
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  for (let r = 0; r < n; r++) {
    const k = binOf(b.edges, values[r]!);
    if (k >= 0) indices.push(k);
    indptr[r + 1] = indices.length;
  }
  return {
    column,
    names: b.labels,
    values: new Csr(n, b.labels.length, indptr, Int32Array.from(indices), new Float32Array(indices.length).fill(1)),
  };
}

/** Integers as they are, other numbers to 3 significant digits. */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}
