import type { AttributeTable, Column } from '../data/attributes.js';
import { Csr } from '../data/csr.js';
import { assembleFeatures, type FeatureBlock, type FeatureMatrix } from './block.js';
import { columnLabel, multiHot } from './categorical.js';
import { binOf, fitBins } from './numeric.js';

/**
 * User attributes as discrete groups and as features: age in the MovieLens-1M age groups (under 18,
 * 18–24, 25–34, 35–44, 45–49, 50–55, 56+), other numbers in quantile bins, categorical columns
 * (gender, occupation, region) as they are; id-like columns (zip codes: too many values to form
 * groups) are skipped, and so is a column that only repeats another's grouping (ml-1m `age_group`).
 */

/** Lower bounds of the age groups after the first (MovieLens-1M's coding). */
export const AGE_EDGES: readonly number[] = [18, 25, 35, 45, 50, 56];
const AGE_LABELS = ['under 18', '18–24', '25–34', '35–44', '45–49', '50–55', '56+'];

/** The age group of an age in years (0 = under 18 ... 6 = 56+), -1 when missing. */
export function ageBucket(age: number): number {
  return binOf(AGE_EDGES, age);
}

/** A user attribute as a partition of the users: a code per row into `labels`. */
export interface DiscreteAttribute {
  column: string;
  kind: 'age' | 'bins' | 'categorical';
  /** readable name of each group ("age: 25–34", "gender: F") */
  labels: string[];
  /** age / bins: the bin edges */
  edges?: number[];
  /** categorical: the raw value of each code */
  vocab?: string[];
  /** per row, -1 = missing */
  codes: Int32Array;
}

export interface UserAttributeOptions {
  /** only these columns (default all usable) */
  columns?: string[];
  /** categorical columns with more values than this are skipped (default 50) */
  maxValues?: number;
  /** quantile bins for numeric columns other than age (default 5) */
  bins?: number;
}

/** The usable single-valued attributes of a user table as discrete groupings. */
export function discreteUserAttributes(table: AttributeTable, options: UserAttributeOptions = {}): DiscreteAttribute[] {
  const out: DiscreteAttribute[] = [];
  for (const [name, col] of table.columns) {
    if (options.columns && !options.columns.includes(name)) continue;
    const attr = discretize(name, col, options);
    if (attr && !out.some((o) => samePartition(o.codes, attr.codes))) out.push(attr);
  }
  return out;
}

function discretize(name: string, col: Column, options: UserAttributeOptions): DiscreteAttribute | undefined {
  const label = columnLabel(name);
  if (col.kind === 'numeric') {
    if (/^age$/i.test(name)) {
      return { column: name, kind: 'age', labels: AGE_LABELS.map((l) => `${label}: ${l}`), edges: [...AGE_EDGES], codes: Int32Array.from(col.values, ageBucket) };
    }
    const bins = fitBins(name, col.values, options.bins ?? 5, label);
    return { column: name, kind: 'bins', labels: bins.labels, edges: bins.edges, codes: Int32Array.from(col.values, (v) => binOf(bins.edges, v)) };
  }
  if (col.kind === 'categorical') {
    if (col.vocab.length > (options.maxValues ?? 50) || col.vocab.length < 2) return undefined;
    return { column: name, kind: 'categorical', labels: col.vocab.map((v) => `${label}: ${v}`), vocab: col.vocab, codes: col.codes };
  }
  return undefined;
}

/** True when two codings group the rows the same way (a bijection between their codes). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let r = 0; r < a.length; r++) {
    const x = a[r]!;
    const y = b[r]!;
    if ((ab.get(x) ?? y) !== y || (ba.get(y) ?? x) !== x) return false;
    ab.set(x, y);
    ba.set(y, x);
  }
  return true;
}

/** The group code of a raw value (a new user's age, gender...), -1 when unknown or missing. */
export function encodeAttribute(attr: DiscreteAttribute, value: string | number | undefined | null): number {
  if (value === undefined || value === null || value === '') return -1;
  if (attr.kind === 'categorical') return attr.vocab!.indexOf(String(value));
  const v = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(v) ? binOf(attr.edges!, v) : -1;
}

/** A discrete attribute as a one-hot block. */
export function attributeBlock(attr: DiscreteAttribute): FeatureBlock {
  const n = attr.codes.length;
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  for (let r = 0; r < n; r++) {
    if (attr.codes[r]! >= 0) indices.push(attr.codes[r]!);
    indptr[r + 1] = indices.length;
  }
  return {
    column: attr.column,
    names: attr.labels,
    values: new Csr(n, attr.labels.length, indptr, Int32Array.from(indices), new Float32Array(indices.length).fill(1)),
  };
}

/**
 * The user feature matrix: one-hot of each discrete attribute plus multi-hot of multi-valued columns,
 * every block with weight 1 (or `weights[column]`), rows L2-normalised.
 */
export function userFeatures(table: AttributeTable, options: UserAttributeOptions & { weights?: Record<string, number> } = {}): FeatureMatrix {
  const blocks = discreteUserAttributes(table, options).map(attributeBlock);
  for (const [name, col] of table.columns) {
    if (col.kind === 'multi' && (!options.columns || options.columns.includes(name))) blocks.push(multiHot(name, col, { minCount: 2 }));
  }
  return assembleFeatures(table.size, blocks, (c) => options.weights?.[c] ?? 1);
}
