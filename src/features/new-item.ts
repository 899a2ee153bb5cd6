import type { Csr } from '../data/csr.js';
import { columnLabel } from './categorical.js';
import { tokenize } from './tokenize.js';

/** An item's attributes as the catalogue holds them (flat JSON values). */
export type RawAttributes = Readonly<Record<string, string | number | boolean | null | readonly (string | number)[]>>;

/**
 * Encodes an item that was not in the table a feature matrix was fitted on (an item put through the
 * API after training) into that matrix's columns, using only what a model keeps: the feature names
 * ("genre: Comedy", "title: story", "year: 1993–1995", see features/) and the fitted rows.
 *
 * - a value (or each element of a list) whose "label: value" is a feature name takes that feature;
 * - a string also takes its words' features (a text column: "title: story");
 * - a number takes the numeric bin whose range holds it (the nearest bin when none does).
 *
 * Each feature found gets its typical weight: its mean value over the fitted rows that have it (its
 * idf, block scale and column weight, as those rows carry them); the row is then L2-normalised, as
 * `assembleFeatures` leaves every fitted row. Exact for binary one-hot and multi-hot columns up to the
 * row's normalisation; TF-IDF terms get their document-averaged weight rather than this text's own tf.
 * Dense text-encoder features are not computed (the encoder is not part of the model).
 */
export class NewItemEncoder {
  private readonly byName = new Map<string, number>();
  /** label -> numeric bins (feature, lo, hi) */
  private readonly bins = new Map<string, { feature: number; lo: number; hi: number }[]>();

  constructor(
    names: readonly string[],
    /** typical value of each feature (0 = never seen) */
    readonly typical: Float32Array,
  ) {
    names.forEach((name, f) => {
      this.byName.set(name, f);
      const at = name.indexOf(': ');
      if (at < 0) return;
      const range = parseRange(name.slice(at + 2));
      if (!range) return;
      const label = name.slice(0, at);
      const list = this.bins.get(label) ?? [];
      list.push({ feature: f, ...range });
      this.bins.set(label, list);
    });
  }

  /**
   * From fitted rows: `rows` holds the features in columns offset .. offset + names.length (other
   * columns, like hybrid-mf's id and unseen-item columns, are skipped); each row's feature part is L2-normalised before
   * averaging, which undoes any later scaling of the whole row.
   */
  static fromRows(names: readonly string[], rows: Csr, offset = 0): NewItemEncoder {
    const sum = new Float64Array(names.length);
    const count = new Float64Array(names.length);
    for (let r = 0; r < rows.nRows; r++) {
      let ss = 0;
      for (let k = rows.indptr[r]!; k < rows.indptr[r + 1]!; k++) {
        const f = rows.indices[k]! - offset;
        if (f >= 0 && f < names.length) ss += rows.data[k]! ** 2;
      }
      if (ss === 0) continue;
      const inv = 1 / Math.sqrt(ss);
      for (let k = rows.indptr[r]!; k < rows.indptr[r + 1]!; k++) {
        const f = rows.indices[k]! - offset;
        if (f < 0 || f >= names.length) continue;
        sum[f]! += rows.data[k]! * inv;
        count[f]!++;
      }
    }
    return new NewItemEncoder(names, Float32Array.from(sum, (s, f) => (count[f]! > 0 ? s / count[f]! : 0)));
  }

  /** feature -> value (unit L2 norm); empty when no attribute names a known feature. */
  encode(attributes: RawAttributes): Map<number, number> {
    const row = new Map<number, number>();
    const take = (f: number | undefined): void => {
      if (f !== undefined && this.typical[f]! > 0) row.set(f, this.typical[f]!);
    };
    for (const [column, value] of Object.entries(attributes)) {
      if (value === null || value === undefined) continue;
      const label = columnLabel(column);
      for (const v of Array.isArray(value) ? value : [value]) {
        const exact = this.byName.get(`${label}: ${String(v)}`);
        if (exact !== undefined) {
          take(exact);
          continue;
        }
        if (typeof v === 'number') take(this.bin(label, v));
        else if (typeof v === 'string') for (const word of tokenize(v)) take(this.byName.get(`${label}: ${word}`));
      }
    }
    let ss = 0;
    for (const x of row.values()) ss += x * x;
    if (ss > 0) for (const [f, x] of row) row.set(f, x / Math.sqrt(ss));
    return row;
  }

  private bin(label: string, v: number): number | undefined {
    let best: number | undefined;
    let gap = Infinity;
    for (const b of this.bins.get(label) ?? []) {
      const d = v < b.lo ? b.lo - v : v > b.hi ? v - b.hi : 0;
      if (d < gap) {
        gap = d;
        best = b.feature;
      }
    }
    return best;
  }
}

/** "1993–1995" or "1995" (a bin label of features/numeric.ts) as a range; undefined for anything else. */
function parseRange(text: string): { lo: number; hi: number } | undefined {
  const parts = text.split('–');
  if (parts.length > 2) return undefined;
  const nums = parts.map((p) => (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(p.trim()) ? Number(p) : NaN));
  if (nums.some((x) => Number.isNaN(x))) return undefined;
  return { lo: nums[0]!, hi: nums[nums.length - 1]! };
}
