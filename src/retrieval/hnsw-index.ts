import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import hnswlib from 'hnswlib-node';
import { MipsReduction } from './mips.js';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

/**
 * How inner products are searched:
 * - 'mips': the reduction to the unit sphere (mips.ts) in hnswlib's 'ip' space over unit vectors,
 *   i.e. cosine, where the graph's neighbourhoods are a true metric's;
 * - 'ip': hnswlib's native inner-product space on the raw vectors (distance 1 - q . y).
 * 'ip' is the default: on ALS factors it measured the better recall at the same ef (BENCHMARKS.md,
 * retrieval: ml-1m NDCG@10 unchanged with 'ip', -0.64% with 'mips'; scale: recall@10 per size).
 */
export type HnswSpace = 'mips' | 'ip';

export interface HnswOptions {
  space: HnswSpace;
  /** graph degree (hnswlib M): links per node and layer; memory ~ 8 M bytes per item */
  m: number;
  /** candidate list while building: higher = better graph, slower build */
  efConstruction: number;
  /** candidate list while searching (at least the number asked for): higher = better recall, slower */
  ef: number;
  seed: number;
}

/**
 * ef 500: recall@10 0.985 at 10^6 ALS items for 0.3 ms a query (ef 64: 0.82 for 0.1 ms; BENCHMARKS.md, scale);
 * lower it (hnswEf) for speed on catalogues of 10^5 and below, where ef 64-200 already recalls 0.97-0.99.
 */
export const DEFAULT_HNSW: HnswOptions = { space: 'ip', m: 16, efConstruction: 200, ef: 500, seed: 42 };

/**
 * A hierarchical navigable small-world graph (Malkov & Yashunin 2018) over item vectors, through
 * hnswlib-node (the C++ hnswlib, built from source). Labels are the items' dense ids. Approximate:
 * `search` returns candidates for an exact re-rank, never final scores.
 */
export class HnswIndex {
  private constructor(
    private readonly index: Hnsw,
    private options: HnswOptions,
    /** set for 'mips' */
    readonly reduction: MipsReduction | undefined,
    readonly dim: number,
    private deleted: number,
  ) {}

  /** Builds over n x dim float32 rows (row-major). Time ~ n log n efConstruction dim, one thread. */
  static build(rows: Float32Array, n: number, dim: number, options: HnswOptions): HnswIndex {
    const reduction = options.space === 'mips' ? MipsReduction.of(rows, n, dim) : undefined;
    const index = new HierarchicalNSW('ip', reduction ? dim + 1 : dim);
    index.initIndex(Math.max(n, 1), options.m, options.efConstruction, options.seed, false);
    const h = new HnswIndex(index, options, reduction, dim, 0);
    for (let i = 0; i < n; i++) index.addPoint(h.point(rows, i * dim), i);
    return h;
  }

  /** The index that `toBytes` wrote (hnswlib's own format; it reads files only, so through a temp file). */
  static fromBytes(bytes: Uint8Array, dim: number, options: HnswOptions, maxNorm: number | undefined, deleted: number): HnswIndex {
    const reduction = options.space === 'mips' ? new MipsReduction(dim, maxNorm ?? 1) : undefined;
    const index = new HierarchicalNSW('ip', reduction ? dim + 1 : dim);
    withTempFile((file) => {
      fs.writeFileSync(file, bytes);
      index.readIndexSync(file, false);
    });
    index.setEf(options.ef);
    return new HnswIndex(index, options, reduction, dim, deleted);
  }

  toBytes(): Uint8Array {
    return withTempFile((file) => {
      this.index.writeIndexSync(file);
      const b = fs.readFileSync(file);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    });
  }

  /** The candidate list of later searches (recall against speed; the graph is unchanged). */
  setEf(ef: number): void {
    this.options = { ...this.options, ef };
  }

  get ef(): number {
    return this.options.ef;
  }

  /** Items held, deleted ones included (labels are 0 .. size - 1). */
  get size(): number {
    return this.index.getCurrentCount();
  }

  /** Items a search can return. */
  get live(): number {
    return this.size - this.deleted;
  }

  /**
   * Labels of (about) the `k` items with the largest q . y, best first. `accept`, when given, is
   * hnswlib's filtered search: rejected labels are skipped inside the graph walk (one call into JS
   * per visited candidate).
   */
  search(q: ArrayLike<number>, k: number, accept?: (label: number) => boolean): number[] {
    const kk = Math.min(k, this.live);
    if (kk <= 0) return [];
    this.index.setEf(Math.max(this.options.ef, kk));
    const point = this.reduction ? this.reduction.query(q) : Array.from({ length: this.dim }, (_, t) => q[t]!);
    return this.index.searchKnn(point, kk, accept).neighbors;
  }

  /** Adds item `label` (the next dense id, or a deleted one's again). */
  add(label: number, v: ArrayLike<number>): void {
    if (label >= this.index.getMaxElements()) this.index.resizeIndex(Math.max(label + 1, Math.ceil(this.index.getMaxElements() * 1.5)));
    this.index.addPoint(this.point(v, 0), label);
  }

  /** Items marked deleted are never returned again (their node stays in the graph as a waypoint). */
  markDeleted(label: number): void {
    this.index.markDelete(label);
    this.deleted++;
  }

  /** A deleted item is returned again. */
  unmarkDeleted(label: number): void {
    this.index.unmarkDelete(label);
    this.deleted--;
  }

  get deletedCount(): number {
    return this.deleted;
  }

  /**
   * Bytes hnswlib holds (estimated from its layout): per item its vector, its level-0 links (2 M) and
   * label; upper-layer links (1 / (M - 1) layers on average); the link-list pointer, a per-item mutex
   * (40 bytes) and the label map entry (~56 bytes).
   */
  get bytes(): number {
    const d = this.reduction ? this.dim + 1 : this.dim;
    const m = this.options.m;
    const level0 = 4 * d + 4 + 2 * m * 4 + 8;
    return Math.round(this.index.getMaxElements() * (level0 + (m * 4 + 4) / (m - 1 || 1) + 8 + 40 + 56));
  }

  private point(v: ArrayLike<number>, offset: number): number[] {
    if (this.reduction) return this.reduction.item(v, offset);
    return Array.from({ length: this.dim }, (_, t) => v[offset + t]!);
  }
}

function withTempFile<T>(fn: (file: string) => T): T {
  const file = path.join(os.tmpdir(), `unirec-hnsw-${process.pid}-${randomUUID()}.bin`);
  try {
    return fn(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
