import { Csr } from '../data/csr.js';

/**
 * Feature blocks and the feature matrix they make. Each encoder (categorical, multi-hot, numeric, text)
 * turns one attribute column into a block: a rows x features sparse matrix with a readable name per
 * feature ("genre: Comedy", "tag: pixar", "year: 1993–1995", "title: story"). `assembleFeatures` stacks
 * blocks side by side, scales each block to a weight, and L2-normalises the rows, so a dot product of
 * two rows is their cosine similarity and the names explain which features it came from.
 */

/** One attribute column, encoded. */
export interface FeatureBlock {
  /** the attribute column it came from */
  column: string;
  /** readable name of each feature */
  names: string[];
  /** rows x names.length */
  values: Csr;
}

/** Where a block's features sit in the assembled matrix. */
export interface BlockRange {
  column: string;
  /** features [start, end) */
  start: number;
  end: number;
  weight: number;
}

/** Rows (items or users) x features, L2-normalised rows (an all-zero row stays empty). */
export interface FeatureMatrix {
  matrix: Csr;
  /** readable name of each feature (column of `matrix`) */
  names: string[];
  blocks: BlockRange[];
}

/** A CSR from per-row (feature -> value) maps; zero values are dropped, columns sorted. */
export function csrFromRowMaps(nCols: number, rows: readonly Map<number, number>[]): Csr {
  const indptr = new Int32Array(rows.length + 1);
  for (let r = 0; r < rows.length; r++) {
    let n = 0;
    for (const v of rows[r]!.values()) if (v !== 0) n++;
    indptr[r + 1] = indptr[r]! + n;
  }
  const indices = new Int32Array(indptr[rows.length]!);
  const data = new Float32Array(indices.length);
  for (let r = 0; r < rows.length; r++) {
    const entries = [...rows[r]!].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    let at = indptr[r]!;
    for (const [c, v] of entries) {
      indices[at] = c;
      data[at++] = v;
    }
  }
  return new Csr(rows.length, nCols, indptr, indices, data);
}

/** Each row scaled to unit L2 norm (times `scale`); empty or all-zero rows are left as they are. */
export function normalizeRows(m: Csr, scale = 1): Csr {
  const data = new Float32Array(m.nnz);
  for (let r = 0; r < m.nRows; r++) {
    let ss = 0;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) ss += m.data[k]! * m.data[k]!;
    const f = ss > 0 ? scale / Math.sqrt(ss) : 0;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) data[k] = m.data[k]! * f;
  }
  return new Csr(m.nRows, m.nCols, m.indptr, m.indices, data);
}

/**
 * How blocks are put on one scale before they are weighted: 'mean' scales a block so its non-empty rows
 * have mean norm 1 (a row with more tags than most keeps more tag mass, one lone tag does not take over
 * the row); 'row' scales every row of the block to norm 1.
 */
export type BlockScale = 'mean' | 'row';

/**
 * Blocks side by side. Each block is first put on a common scale (so TF-IDF weights in the 5s do not
 * drown one-hot 1s) times its weight, then the whole row is L2-normalised. Blocks with weight 0 are
 * left out.
 */
export function assembleFeatures(
  nRows: number,
  blocks: readonly FeatureBlock[],
  weights: (column: string) => number = () => 1,
  scale: BlockScale = 'mean',
): FeatureMatrix {
  const kept = blocks.filter((b) => weights(b.column) > 0 && b.names.length > 0);
  const ranges: BlockRange[] = [];
  const names: string[] = [];
  const scaled: Csr[] = [];
  for (const b of kept) {
    if (b.values.nRows !== nRows) throw new RangeError(`feature block "${b.column}" has ${b.values.nRows} rows, expected ${nRows}`);
    const weight = weights(b.column);
    ranges.push({ column: b.column, start: names.length, end: names.length + b.names.length, weight });
    names.push(...b.names);
    scaled.push(scale === 'mean' ? scaleToMeanNorm(b.values, weight) : normalizeRows(b.values, weight));
  }
  const indptr = new Int32Array(nRows + 1);
  for (let r = 0; r < nRows; r++) {
    let n = 0;
    for (const m of scaled) n += m.rowLength(r);
    indptr[r + 1] = indptr[r]! + n;
  }
  const indices = new Int32Array(indptr[nRows]!);
  const data = new Float32Array(indices.length);
  for (let r = 0; r < nRows; r++) {
    let at = indptr[r]!;
    scaled.forEach((m, b) => {
      const offset = ranges[b]!.start;
      for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) {
        indices[at] = offset + m.indices[k]!;
        data[at++] = m.data[k]!;
      }
    });
  }
  const matrix = normalizeRows(new Csr(nRows, names.length, indptr, indices, data));
  return { matrix, names, blocks: ranges };
}

/** The column (feature id) named `name`, or -1. */
export function featureIndex(features: FeatureMatrix, name: string): number {
  return features.names.indexOf(name);
}

/** Dot product of two sparse rows (sorted columns): a merge. */
export function sparseDot(a: Csr, ra: number, b: Csr, rb: number): number {
  let p = a.indptr[ra]!;
  let q = b.indptr[rb]!;
  const pe = a.indptr[ra + 1]!;
  const qe = b.indptr[rb + 1]!;
  let s = 0;
  while (p < pe && q < qe) {
    const ca = a.indices[p]!;
    const cb = b.indices[q]!;
    if (ca === cb) s += a.data[p++]! * b.data[q++]!;
    else if (ca < cb) p++;
    else q++;
  }
  return s;
}

/** The block scaled so that its non-empty rows have mean L2 norm `scale`. */
export function scaleToMeanNorm(m: Csr, scale = 1): Csr {
  let sum = 0;
  let rows = 0;
  for (let r = 0; r < m.nRows; r++) {
    let ss = 0;
    for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) ss += m.data[k]! * m.data[k]!;
    if (ss > 0) {
      sum += Math.sqrt(ss);
      rows++;
    }
  }
  const f = sum > 0 ? (scale * rows) / sum : 0;
  return new Csr(m.nRows, m.nCols, m.indptr, m.indices, m.data.map((v) => v * f));
}
