import type { Interactions } from './interactions.js';

/**
 * Compressed sparse rows: row r holds columns indices[indptr[r]..indptr[r+1]) with values data[...].
 * Columns within a row are sorted ascending. Built by user (rows = users) or by item (rows = items).
 */
export class Csr {
  constructor(
    readonly nRows: number,
    readonly nCols: number,
    readonly indptr: Int32Array,
    readonly indices: Int32Array,
    readonly data: Float32Array,
  ) {}

  get nnz(): number {
    return this.indices.length;
  }

  rowLength(r: number): number {
    return this.indptr[r + 1]! - this.indptr[r]!;
  }

  /** Columns of row r (a view, not a copy). */
  rowIndices(r: number): Int32Array {
    return this.indices.subarray(this.indptr[r]!, this.indptr[r + 1]!);
  }

  /** Values of row r (a view, not a copy). */
  rowData(r: number): Float32Array {
    return this.data.subarray(this.indptr[r]!, this.indptr[r + 1]!);
  }

  /** Value at (r, c), 0 when absent; binary search within the row. */
  get(r: number, c: number): number {
    let lo = this.indptr[r]!;
    let hi = this.indptr[r + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.indices[mid]!;
      if (v === c) return this.data[mid]!;
      if (v < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Builds a CSR from coordinates; columns sorted within rows (counting sort, O(nnz + rows + cols)). */
  static fromCoo(
    nRows: number,
    nCols: number,
    rows: Int32Array,
    cols: Int32Array,
    values: Float32Array,
  ): Csr {
    const nnz = rows.length;
    // Sort by column first (counting sort), then stable-bucket by row: rows end up with ascending columns.
    const colCount = new Int32Array(nCols + 1);
    for (let k = 0; k < nnz; k++) colCount[cols[k]! + 1]!++;
    for (let c = 0; c < nCols; c++) colCount[c + 1]! += colCount[c]!;
    const byCol = new Int32Array(nnz);
    for (let k = 0; k < nnz; k++) byCol[colCount[cols[k]!]!++] = k;

    const indptr = new Int32Array(nRows + 1);
    for (let k = 0; k < nnz; k++) indptr[rows[k]! + 1]!++;
    for (let r = 0; r < nRows; r++) indptr[r + 1]! += indptr[r]!;
    const fill = indptr.slice(0, nRows);
    const indices = new Int32Array(nnz);
    const data = new Float32Array(nnz);
    for (let t = 0; t < nnz; t++) {
      const k = byCol[t]!;
      const at = fill[rows[k]!]!++;
      indices[at] = cols[k]!;
      data[at] = values[k]!;
    }
    return new Csr(nRows, nCols, indptr, indices, data);
  }

  static byUser(x: Interactions, nUsers: number, nItems: number): Csr {
    return Csr.fromCoo(nUsers, nItems, x.user, x.item, x.value);
  }

  static byItem(x: Interactions, nUsers: number, nItems: number): Csr {
    return Csr.fromCoo(nItems, nUsers, x.item, x.user, x.value);
  }

  transpose(): Csr {
    const rows = new Int32Array(this.nnz);
    for (let r = 0; r < this.nRows; r++) rows.fill(r, this.indptr[r]!, this.indptr[r + 1]!);
    return Csr.fromCoo(this.nCols, this.nRows, this.indices, rows, this.data);
  }

  /**
   * The matrix with each repeated (row, column) entry once (data kept with --dedupe none has them):
   * 'sum' adds their values, 'last' keeps the later one in input order. Returns this when no entry repeats.
   */
  mergeDuplicates(mode: 'sum' | 'last'): Csr {
    let repeats = 0;
    for (let r = 0; r < this.nRows; r++) {
      for (let k = this.indptr[r]! + 1; k < this.indptr[r + 1]!; k++) if (this.indices[k] === this.indices[k - 1]) repeats++;
    }
    if (repeats === 0) return this;
    const indptr = new Int32Array(this.nRows + 1);
    const indices = new Int32Array(this.nnz - repeats);
    const data = new Float32Array(this.nnz - repeats);
    let at = 0;
    for (let r = 0; r < this.nRows; r++) {
      for (let k = this.indptr[r]!; k < this.indptr[r + 1]!; k++) {
        if (k > this.indptr[r]! && this.indices[k] === this.indices[k - 1]) {
          data[at - 1] = mode === 'sum' ? data[at - 1]! + this.data[k]! : this.data[k]!;
        } else {
          indices[at] = this.indices[k]!;
          data[at++] = this.data[k]!;
        }
      }
      indptr[r + 1] = at;
    }
    return new Csr(this.nRows, this.nCols, indptr, indices, data);
  }

  /** A copy whose values are all 1 (implicit view of the same pattern). */
  binarized(): Csr {
    return new Csr(this.nRows, this.nCols, this.indptr, this.indices, new Float32Array(this.nnz).fill(1));
  }
}
