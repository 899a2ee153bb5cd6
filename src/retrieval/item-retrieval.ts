import { topK, type TopK } from '../math/topk.js';
import { addBias, exactTop, rescore } from './exact-scan.js';
import { HnswIndex } from './hnsw-index.js';
import type { RetrievalOptions } from './options.js';
import { decodeAll, encodeVectors, vectorsFromArrays } from './stores.js';
import { queryOf, type VectorStore } from './vector-store.js';

/** Where an over-fetching graph search gives up and scans every item: when it would fetch more than this share. */
const SCAN_SHARE = 0.1;

/**
 * The one helper a model with item vectors uses for retrieval: its item vectors in the stored form the
 * params ask for (float32 / float16 / int8), an HNSW graph over them when `retrieval` is 'hnsw', and
 * the top-k with exclusions:
 *
 * - exact: every item scored on the stored form, bounded top-k (int8: quantized pass + re-rank);
 * - hnsw: the graph's best k + (excluded count) + k candidates, excluded and removed ones dropped, the
 *   rest re-scored exactly on the stored rows; when fewer than k survive, the fetch doubles, and past
 *   10% of the catalogue the search becomes a scan (a filter that rejects most items, or a user who
 *   has seen a tenth of a small catalogue: the scan is then cheaper than the walk, and exact).
 *
 * An item bias (score = x . y_i + b_i, as BPR and the rating models have) is added to every score and
 * searched as one more coordinate: the graph holds [y_i, b_i] and the query is [x, 1].
 *
 * One instance serves one request at a time (a scratch score buffer is reused), like the models.
 */
export class ItemRetrieval {
  /** 1 = removed: never returned (items deleted through the API) */
  private removed: Uint8Array;
  private nRemoved = 0;
  private scratch: Float32Array;
  private q: Float64Array;
  /** [q, 1] for a graph over [y, b] */
  private qb: Float64Array;
  private bias: Float32Array | undefined;
  /** item vector norms for `similar` (computed on first use) */
  private norms: Float32Array | undefined;
  /** candidates the last `top` fetched from the graph (0 when it scanned): for measuring over-fetch */
  lastFetched = 0;

  constructor(
    readonly options: RetrievalOptions,
    readonly store: VectorStore,
    readonly index: HnswIndex | undefined,
    removed?: Uint8Array,
    bias?: Float32Array,
  ) {
    this.bias = bias?.slice(0, store.n);
    this.qb = new Float64Array(store.dim + 1);
    this.removed = removed ?? new Uint8Array(store.n);
    for (let i = 0; i < this.removed.length; i++) this.nRemoved += this.removed[i]! ? 1 : 0;
    this.scratch = new Float32Array(store.n);
    this.q = new Float64Array(store.dim);
  }

  /** At fit time: n x dim float32 rows (kept as they are for float32 storage, no copy), and the item bias if any. */
  static build(options: RetrievalOptions, rows: Float32Array, n: number, dim: number, bias?: Float32Array): ItemRetrieval {
    const store = encodeVectors(options.vectors, rows, n, dim);
    // the graph is built on the stored values, as a rebuild at load would
    const index = options.retrieval === 'hnsw' ? buildGraph(decodeAll(store), n, dim, bias, options) : undefined;
    return new ItemRetrieval(options, store, index, undefined, bias);
  }

  /**
   * From what `arrays` / `meta` wrote. `rows`: the model's float32 rows when the artifact holds them
   * rather than a stored form (float32 storage). A graph missing from the artifact is rebuilt over the
   * stored values (as `build` does).
   */
  static load(
    options: RetrievalOptions,
    arrays: Record<string, unknown>,
    meta: Record<string, unknown>,
    prefix: string,
    n: number,
    dim: number,
    rows?: Float32Array,
    bias?: Float32Array,
  ): ItemRetrieval {
    const store = vectorsFromArrays(arrays, prefix, n, dim) ?? encodeVectors(options.vectors, rows!, n, dim);
    const removed = arrays[`${prefix}Removed`] instanceof Uint8Array ? (arrays[`${prefix}Removed`] as Uint8Array).slice() : undefined;
    let index: HnswIndex | undefined;
    if (options.retrieval === 'hnsw') {
      const graph = arrays[`${prefix}Hnsw`];
      const m = meta[`${prefix}Hnsw`] as { maxNorm?: number; deleted: number } | undefined;
      const d = bias ? dim + 1 : dim;
      index = graph instanceof Uint8Array && m ? HnswIndex.fromBytes(graph, d, options.hnsw, m.maxNorm, m.deleted) : buildGraph(decodeAll(store), n, dim, bias, options);
      if (!(graph instanceof Uint8Array && m) && removed) for (let i = 0; i < n; i++) if (removed[i]) index.markDeleted(i);
    }
    return new ItemRetrieval(options, store, index, removed, bias);
  }

  get n(): number {
    return this.store.n;
  }

  get dim(): number {
    return this.store.dim;
  }

  /** out[i] = x . y_i on the stored form for every item i < out.length (the model's scoreUser). */
  scoreAll(x: ArrayLike<number>, xo: number, out: Float32Array): void {
    const o = out.subarray(0, this.n);
    this.store.scoreAll(queryOf(x, xo, this.dim, this.q), o);
    addBias(o, this.bias);
  }

  /**
   * The k items with the largest x . y_i (x = x[xo .. xo + dim)), best first, never an item with
   * exclude[i] = 1 or a removed one. `excluded`: how many items `exclude` marks, when the caller knows
   * (it sizes the graph's over-fetch; without it the fetch starts at 2k and doubles as needed).
   */
  top(x: ArrayLike<number>, xo: number, k: number, exclude?: Uint8Array, excluded = 0): TopK {
    const q = queryOf(x, xo, this.dim, this.q);
    let fetch = this.index ? Math.min(2 * k + excluded, this.index.live) : 0;
    if (this.index && this.index.live > 0 && fetch <= SCAN_SHARE * this.n) {
      // removed items are marked deleted in the graph: only the caller's exclusions are checked
      for (;;) {
        const labels = this.index.search(this.graphQuery(q), fetch);
        const best = rescore(this.store, q, labels, k, exclude, this.bias);
        if (best.indices.length >= k || labels.length < fetch || fetch >= this.index.live) {
          this.lastFetched = labels.length;
          return best;
        }
        fetch = Math.min(2 * fetch, this.index.live);
        if (fetch > SCAN_SHARE * this.n) break;
      }
    }
    this.lastFetched = 0;
    return exactTop(this.store, q, k, this.scratch, this.mask(exclude), this.options.rerank, this.bias);
  }

  /**
   * The same through hnswlib's filtered search (exclusions checked inside the graph walk, one call into
   * JS per visited candidate) instead of over-fetching: kept to measure the two against each other.
   */
  topFilteredInGraph(x: ArrayLike<number>, xo: number, k: number, exclude?: Uint8Array): TopK {
    const q = queryOf(x, xo, this.dim, this.q);
    const mask = this.mask(exclude);
    if (!this.index) return exactTop(this.store, q, k, this.scratch, mask, this.options.rerank, this.bias);
    const labels = this.index.search(this.graphQuery(q), k, mask ? (i) => mask[i] === 0 : undefined);
    return rescore(this.store, q, labels, k, mask, this.bias);
  }

  /**
   * Adds an item (e.g. one created through the API, its vector from features or a fold-in) with its
   * bias when the model has item biases; returns its dense id (the next one).
   */
  add(v: ArrayLike<number>, bias = 0): number {
    if (v.length < this.dim) throw new RangeError(`a vector of ${this.dim} numbers is needed, got ${v.length}`);
    const i = this.store.append(v);
    if (this.bias) {
      if (this.bias.length <= i) {
        const b = new Float32Array(Math.max(i + 1, this.bias.length * 2));
        b.set(this.bias);
        this.bias = b;
      }
      this.bias[i] = bias;
      this.index?.add(i, [...Array.from({ length: this.dim }, (_, k) => v[k]!), bias]);
    } else this.index?.add(i, v);
    if (this.removed.length <= i) {
      const r = new Uint8Array(Math.max(i + 1, this.removed.length * 2));
      r.set(this.removed);
      this.removed = r;
    }
    if (this.scratch.length <= i) this.scratch = new Float32Array(Math.max(i + 1, this.scratch.length * 2));
    return i;
  }

  /** Removes an item from retrieval (deleted through the API): never returned again. */
  remove(i: number): void {
    if (!(i >= 0 && i < this.n)) throw new RangeError(`item ${i} out of range`);
    if (this.removed[i]) return;
    this.removed[i] = 1;
    this.nRemoved++;
    this.index?.markDeleted(i);
  }

  /** An item removed before is retrievable again (put back through the API). */
  restore(i: number): void {
    if (!this.removed[i]) return;
    this.removed[i] = 0;
    this.nRemoved--;
    this.index?.unmarkDeleted(i);
  }

  isRemoved(i: number): boolean {
    return this.removed[i] === 1;
  }

  /** Resident bytes: stored vectors + the graph. */
  get bytes(): { vectors: number; index: number } {
    return { vectors: this.store.bytes, index: this.index?.bytes ?? 0 };
  }

  /**
   * What the artifact keeps: the stored form (omitted for float32 when the model saves its own float32
   * rows: `withRows` false), the graph, the removed marks.
   */
  arrays(prefix: string, withRows = true): Record<string, Float32Array | Uint8Array> {
    const out: Record<string, Float32Array | Uint8Array> = {};
    if (withRows || this.store.kind !== 'float32') Object.assign(out, this.store.arrays(prefix));
    if (this.index) out[`${prefix}Hnsw`] = this.index.toBytes();
    if (this.nRemoved > 0) out[`${prefix}Removed`] = this.removed.subarray(0, this.n);
    return out;
  }

  /**
   * The graph and the removed marks only, for a model that keeps (or derives) its own float32 item rows:
   * `load` re-encodes the stored form from those rows (the same encoding `build` made).
   */
  indexArrays(prefix: string): Record<string, Uint8Array> {
    const out: Record<string, Uint8Array> = {};
    if (this.index) out[`${prefix}Hnsw`] = this.index.toBytes();
    if (this.nRemoved > 0) out[`${prefix}Removed`] = this.removed.subarray(0, this.n);
    return out;
  }

  /**
   * The k items whose stored vectors have the largest cosine with item `item`'s, best first, `item`
   * itself and removed items left out. FLOPs 2 dim n (+ the norms once, kept until an item is added).
   */
  similar(item: number, k: number): TopK {
    const d = this.dim;
    if (!this.norms || this.norms.length !== this.n) {
      this.norms = new Float32Array(this.n);
      const row = new Float64Array(d);
      for (let i = 0; i < this.n; i++) {
        this.store.decode(i, row);
        let s = 0;
        for (let t = 0; t < d; t++) s += row[t]! * row[t]!;
        this.norms[i] = Math.sqrt(s);
      }
    }
    this.store.decode(item, this.q);
    const sims = this.scratch.subarray(0, this.n);
    this.store.scoreAll(this.q, sims);
    const ni = this.norms[item]!;
    for (let i = 0; i < this.n; i++) sims[i] = i === item || this.removed[i] ? -Infinity : sims[i]! / (ni * this.norms[i]! + 1e-12);
    return topK(sims, k);
  }

  meta(prefix: string): Record<string, unknown> {
    return this.index ? { [`${prefix}Hnsw`]: { maxNorm: this.index.reduction?.maxNorm, deleted: this.index.deletedCount } } : {};
  }

  /** The query as the graph takes it: [q, 1] when the graph holds [y, b]. */
  private graphQuery(q: Float64Array): Float64Array {
    if (!this.bias) return q;
    this.qb.set(q);
    this.qb[this.dim] = 1;
    return this.qb;
  }

  /**
   * The exclusion mask with removed items added, and as long as the items held (a caller's mask may
   * predate items added since: those are not excluded). The caller's own mask when neither applies;
   * else O(n).
   */
  private mask(exclude: Uint8Array | undefined): Uint8Array | undefined {
    if (this.nRemoved === 0 && (!exclude || exclude.length >= this.n)) return exclude;
    const m = this.removed.slice(0, this.n);
    if (exclude) for (let i = 0; i < Math.min(exclude.length, this.n); i++) m[i] |= exclude[i]!;
    return m;
  }
}

/** The graph over [y_i, b_i] rows when there is an item bias, else over y_i. */
function buildGraph(rows: Float32Array, n: number, dim: number, bias: Float32Array | undefined, options: RetrievalOptions): HnswIndex {
  if (!bias) return HnswIndex.build(rows, n, dim, options.hnsw);
  const aug = new Float32Array(n * (dim + 1));
  for (let i = 0; i < n; i++) {
    aug.set(rows.subarray(i * dim, (i + 1) * dim), i * (dim + 1));
    aug[i * (dim + 1) + dim] = bias[i]!;
  }
  return HnswIndex.build(aug, n, dim + 1, options.hnsw);
}
