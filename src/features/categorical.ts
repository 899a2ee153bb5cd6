import type { Column } from '../data/attributes.js';
import { Csr } from '../data/csr.js';
import { countConfidence } from '../data/value-kind.js';
import type { FeatureBlock } from './block.js';

/**
 * Categorical attributes as features: one-hot for a single-valued column (brand, gender, occupation),
 * multi-hot for a multi-valued one (genres, tags). A value seen on fewer than `minCount` rows is dropped
 * (it cannot make two rows similar); multi-hot values can be idf-weighted, so a rare tag says more
 * about an item than "Drama" does.
 */

/** The singular a feature name starts with: "genres" -> "genre", "tags" -> "tag", else the column name. */
export function columnLabel(column: string): string {
  const known: Record<string, string> = { genres: 'genre', tags: 'tag', attributes: 'attribute', categories: 'category', brands: 'brand', keywords: 'keyword' };
  return known[column] ?? column;
}

export interface CategoricalOptions {
  /** values on fewer rows are dropped (default 1) */
  minCount?: number;
  /** 'binary' = 1 per value; 'idf' = ln(1 + nRows / count) (default 'binary') */
  weighting?: 'binary' | 'idf';
  /** prefix of the feature names (default columnLabel(column)) */
  label?: string;
}

/** Maps kept vocabulary codes to feature ids; -1 = dropped. */
function keptCodes(counts: Int32Array, minCount: number): { featureOf: Int32Array; kept: number[] } {
  const featureOf = new Int32Array(counts.length).fill(-1);
  const kept: number[] = [];
  for (let c = 0; c < counts.length; c++) {
    if (counts[c]! >= minCount && counts[c]! > 0) {
      featureOf[c] = kept.length;
      kept.push(c);
    }
  }
  return { featureOf, kept };
}

function idfOf(count: number, nRows: number): number {
  return Math.log1p(nRows / count);
}

/** One-hot block of a categorical column: one feature per kept value, missing = no feature. */
export function oneHot(column: string, col: Extract<Column, { kind: 'categorical' }>, options: CategoricalOptions = {}): FeatureBlock {
  const n = col.codes.length;
  const counts = new Int32Array(col.vocab.length);
  for (let r = 0; r < n; r++) if (col.codes[r]! >= 0) counts[col.codes[r]!]!++;
  const { featureOf, kept } = keptCodes(counts, options.minCount ?? 1);
  const label = options.label ?? columnLabel(column);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = col.codes[r]!;
    const f = c >= 0 ? featureOf[c]! : -1;
    if (f >= 0) {
      indices.push(f);
      data.push(options.weighting === 'idf' ? idfOf(counts[c]!, n) : 1);
    }
    indptr[r + 1] = indices.length;
  }
  return {
    column,
    names: kept.map((c) => `${label}: ${col.vocab[c]}`),
    values: new Csr(n, kept.length, indptr, Int32Array.from(indices), Float32Array.from(data)),
  };
}

/**
 * How much a label given `w` times counts (a tag applied by w users): 1 + ln(w), sublinear as term
 * frequencies are in TF-IDF, so a tag given 300 times says more than one given once but not 300x more;
 * weights below 1 count as they are.
 */
export function labelWeight(w: number): number {
  return countConfidence(w);
}

/**
 * Multi-hot block of a multi-valued column: one feature per kept label. A weighted column (tag counts
 * from a long-format table) scales each entry by labelWeight of its weight.
 */
export function multiHot(column: string, col: Extract<Column, { kind: 'multi' }>, options: CategoricalOptions = {}): FeatureBlock {
  const n = col.indptr.length - 1;
  const counts = new Int32Array(col.vocab.length);
  for (let k = 0; k < col.codes.length; k++) counts[col.codes[k]!]!++;
  const { featureOf, kept } = keptCodes(counts, options.minCount ?? 1);
  const label = options.label ?? columnLabel(column);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const data: number[] = [];
  const row: [number, number][] = [];
  for (let r = 0; r < n; r++) {
    row.length = 0;
    for (let k = col.indptr[r]!; k < col.indptr[r + 1]!; k++) {
      const c = col.codes[k]!;
      const f = featureOf[c]!;
      const tf = col.weights ? labelWeight(col.weights[k]!) : 1;
      if (f >= 0 && !row.some(([g]) => g === f)) row.push([f, (options.weighting === 'idf' ? idfOf(counts[c]!, n) : 1) * tf]);
    }
    row.sort((a, b) => a[0] - b[0]);
    for (const [f, v] of row) {
      indices.push(f);
      data.push(v);
    }
    indptr[r + 1] = indices.length;
  }
  return {
    column,
    names: kept.map((c) => `${label}: ${col.vocab[c]}`),
    values: new Csr(n, kept.length, indptr, Int32Array.from(indices), Float32Array.from(data)),
  };
}
