/**
 * A pretrained text encoder: texts in, one L2-normalised vector per text out. Item titles, genres, tags
 * and descriptions become dense vectors that content models, the two-tower model and cold start can
 * compare. Every implementation runs offline from files on disk (npm package or a local folder).
 */
export interface TextEncoder {
  /** short name: 'use-lite', 'glove', 'onnx' */
  readonly name: string;
  /** vector length */
  readonly dim: number;
  /**
   * What identifies this encoder's vectors in the cache: the model files and every setting that
   * changes a vector (two encoders with the same key must give the same vector for the same text).
   */
  readonly cacheKey: string;
  /**
   * Vectors of the texts, row-major (texts.length x dim), each of unit L2 norm; a text with nothing
   * the encoder can read (empty, all out-of-vocabulary) gives the zero vector.
   */
  encode(texts: readonly string[]): Promise<Float32Array>;
  /** Frees what the encoder holds (tensors, sessions, the cache handle). */
  dispose?(): void;
}

/** Scales each of the n rows of m (row-major, dim wide) to unit L2 norm; all-zero rows stay zero. */
export function normalizeVectors(m: Float32Array, dim: number): Float32Array {
  const n = m.length / dim;
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let k = r * dim; k < (r + 1) * dim; k++) ss += m[k]! * m[k]!;
    if (ss === 0) continue;
    const f = 1 / Math.sqrt(ss);
    for (let k = r * dim; k < (r + 1) * dim; k++) m[k]! *= f;
  }
  return m;
}

/** Cosine similarity of row a and row b of m (rows of unit norm: a dot product). */
export function rowCosine(m: Float32Array, dim: number, a: number, b: number): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < dim; k++) {
    const x = m[a * dim + k]!;
    const y = m[b * dim + k]!;
    s += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? s / Math.sqrt(na * nb) : 0;
}
