import type { FeatureBlock } from './block.js';
import { csrFromRowMaps } from './block.js';
import { columnLabel } from './categorical.js';
import { tokenize, type TokenizeOptions } from './tokenize.js';

/**
 * Bag-of-words features of a text column with TF-IDF or Okapi BM25 term weighting, fitted over the
 * column's documents (item titles, descriptions):
 * - tfidf: (1 + ln tf) * (ln((1 + N) / (1 + df)) + 1)   (sublinear tf, smoothed idf, as scikit-learn)
 * - bm25:  tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avgdl)) * ln(1 + (N - df + 0.5) / (df + 0.5))
 * Terms in fewer than `minDf` documents (they cannot make two documents similar) or in more than
 * `maxDf` of them (they say nothing) are left out of the vocabulary.
 */
export interface TextOptions extends TokenizeOptions {
  weighting?: 'tfidf' | 'bm25';
  /** least documents a term must appear in (default 2) */
  minDf?: number;
  /** largest share of documents a term may appear in (default 0.5) */
  maxDf?: number;
  k1?: number;
  b?: number;
  /** prefix of the feature names (default the column name) */
  label?: string;
}

export class TextVectorizer {
  /** term -> feature id */
  readonly vocab = new Map<string, number>();
  readonly terms: string[] = [];
  idf = new Float64Array(0);
  nDocs = 0;
  avgLength = 0;
  private readonly options: Required<Pick<TextOptions, 'weighting' | 'minDf' | 'maxDf' | 'k1' | 'b'>> & TokenizeOptions;

  constructor(options: TextOptions = {}) {
    this.options = { weighting: 'tfidf', minDf: 2, maxDf: 0.5, k1: 1.2, b: 0.75, ...options };
  }

  tokens(doc: string | undefined): string[] {
    return doc === undefined ? [] : tokenize(doc, this.options);
  }

  /** Learns the vocabulary and idf from the documents (undefined = missing text). */
  fit(docs: readonly (string | undefined)[]): this {
    const df = new Map<string, number>();
    let totalLength = 0;
    for (const doc of docs) {
      const toks = this.tokens(doc);
      totalLength += toks.length;
      for (const t of new Set(toks)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const n = docs.length;
    const { minDf, maxDf, weighting } = this.options;
    const kept = [...df].filter(([, d]) => d >= minDf && d <= maxDf * n).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    this.vocab.clear();
    this.terms.length = 0;
    this.idf = new Float64Array(kept.length);
    kept.forEach(([t, d], f) => {
      this.vocab.set(t, f);
      this.terms.push(t);
      this.idf[f] = weighting === 'bm25' ? Math.log1p((n - d + 0.5) / (d + 0.5)) : Math.log((1 + n) / (1 + d)) + 1;
    });
    this.nDocs = n;
    this.avgLength = n ? totalLength / n : 0;
    return this;
  }

  /** Weighted term vector of one document (feature id -> weight); unknown terms are ignored. */
  transform(doc: string | undefined): Map<number, number> {
    const toks = this.tokens(doc);
    const tf = new Map<number, number>();
    for (const t of toks) {
      const f = this.vocab.get(t);
      if (f !== undefined) tf.set(f, (tf.get(f) ?? 0) + 1);
    }
    const { weighting, k1, b } = this.options;
    const norm = k1 * (1 - b + (b * toks.length) / (this.avgLength || 1));
    for (const [f, c] of tf) {
      const w = weighting === 'bm25' ? ((c * (k1 + 1)) / (c + norm)) * this.idf[f]! : (1 + Math.log(c)) * this.idf[f]!;
      tf.set(f, w);
    }
    return tf;
  }
}

/** A text column as a bag-of-words block (feature names "title: story"). */
export function textBlock(column: string, docs: readonly (string | undefined)[], options: TextOptions = {}): FeatureBlock {
  const v = new TextVectorizer(options).fit(docs);
  const label = options.label ?? columnLabel(column);
  return {
    column,
    names: v.terms.map((t) => `${label}: ${t}`),
    values: csrFromRowMaps(v.terms.length, docs.map((d) => v.transform(d))),
  };
}
