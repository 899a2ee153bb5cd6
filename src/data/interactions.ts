/**
 * Columnar interactions: one entry per (user, item) event, in typed arrays.
 * `value` is the rating or weight (1 for implicit events); `ts` is Unix seconds (or the position in a
 * user's sequence when the source has no clock; NaN when there is no order at all).
 */
export class Interactions {
  constructor(
    readonly user: Int32Array,
    readonly item: Int32Array,
    readonly value: Float32Array,
    readonly ts: Float64Array,
  ) {
    const n = user.length;
    if (item.length !== n || value.length !== n || ts.length !== n) {
      throw new RangeError('Interactions columns must have equal lengths');
    }
  }

  get length(): number {
    return this.user.length;
  }

  static empty(): Interactions {
    return new Interactions(new Int32Array(0), new Int32Array(0), new Float32Array(0), new Float64Array(0));
  }

  /** The rows at `index`, in that order. */
  select(index: ArrayLike<number>): Interactions {
    const n = index.length;
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const value = new Float32Array(n);
    const ts = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const r = index[k]!;
      user[k] = this.user[r]!;
      item[k] = this.item[r]!;
      value[k] = this.value[r]!;
      ts[k] = this.ts[r]!;
    }
    return new Interactions(user, item, value, ts);
  }

  /** Rows where keep[r] is non-zero. */
  where(keep: Uint8Array): Interactions {
    const index: number[] = [];
    for (let r = 0; r < keep.length; r++) if (keep[r]) index.push(r);
    return this.select(index);
  }

  /** Concatenation of several interaction sets (same id spaces). */
  static concat(parts: Interactions[]): Interactions {
    const n = parts.reduce((s, p) => s + p.length, 0);
    const out = new Interactions(new Int32Array(n), new Int32Array(n), new Float32Array(n), new Float64Array(n));
    let at = 0;
    for (const p of parts) {
      out.user.set(p.user, at);
      out.item.set(p.item, at);
      out.value.set(p.value, at);
      out.ts.set(p.ts, at);
      at += p.length;
    }
    return out;
  }

  /** Same rows with user and item ids passed through remap tables; rows mapping to -1 are dropped. */
  remap(userMap: Int32Array, itemMap: Int32Array): Interactions {
    const index: number[] = [];
    for (let r = 0; r < this.length; r++) {
      if (userMap[this.user[r]!]! >= 0 && itemMap[this.item[r]!]! >= 0) index.push(r);
    }
    const out = this.select(index);
    for (let k = 0; k < out.length; k++) {
      out.user[k] = userMap[out.user[k]!]!;
      out.item[k] = itemMap[out.item[k]!]!;
    }
    return out;
  }

  /** Row indices grouped by user, each group in file order (a stable counting sort): rows of user u are rows[indptr[u]..indptr[u+1]). */
  rowsByUser(nUsers: number): { indptr: Int32Array; rows: Int32Array } {
    const indptr = new Int32Array(nUsers + 1);
    for (let r = 0; r < this.length; r++) indptr[this.user[r]! + 1]!++;
    for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
    const fill = indptr.slice(0, nUsers);
    const rows = new Int32Array(this.length);
    for (let r = 0; r < this.length; r++) rows[fill[this.user[r]!]!++] = r;
    return { indptr, rows };
  }

  /** Number of interactions per user (length nUsers). */
  countByUser(nUsers: number): Int32Array {
    const c = new Int32Array(nUsers);
    for (let r = 0; r < this.length; r++) c[this.user[r]!]!++;
    return c;
  }

  /** Number of interactions per item (length nItems). */
  countByItem(nItems: number): Int32Array {
    const c = new Int32Array(nItems);
    for (let r = 0; r < this.length; r++) c[this.item[r]!]!++;
    return c;
  }
}
