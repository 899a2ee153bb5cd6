/**
 * A reader for PostgreSQL's binary COPY format (`COPY ... TO STDOUT (FORMAT binary)`), fed the stream's
 * chunks as they arrive. It finds each row's fields and hands them to `onRow` as offsets into the chunk,
 * so the caller reads fixed-width values straight into typed arrays: no row objects, no text parsing.
 *
 * Format: an 11-byte signature, a 32-bit flags word, a 32-bit header-extension length and the extension;
 * then per row a 16-bit field count followed by each field as a 32-bit length (-1 = NULL) and its bytes
 * (big-endian); a field count of -1 ends the data.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export type RowHandler = (buf: Buffer, at: Int32Array, len: Int32Array) => void;

export class BinaryCopyReader {
  /** offset of each field's bytes in the buffer passed to onRow */
  private readonly at: Int32Array;
  /** byte length of each field, -1 for NULL */
  private readonly len: Int32Array;
  private carry: Buffer | undefined;
  private headerRead = false;
  private finished = false;
  rows = 0;

  constructor(
    private readonly fields: number,
    private readonly onRow: RowHandler,
  ) {
    this.at = new Int32Array(fields);
    this.len = new Int32Array(fields);
  }

  push(chunk: Buffer): void {
    const buf = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = undefined;
    let p = 0;
    if (!this.headerRead) {
      if (buf.length < 19) {
        this.carry = buf;
        return;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY stream does not start with the binary COPY signature');
      const extension = buf.readInt32BE(15);
      if (buf.length < 19 + extension) {
        this.carry = buf;
        return;
      }
      p = 19 + extension;
      this.headerRead = true;
    }
    const n = buf.length;
    const fields = this.fields;
    const at = this.at;
    const len = this.len;
    while (!this.finished && p + 2 <= n) {
      const count = buf.readInt16BE(p);
      if (count === -1) {
        this.finished = true;
        p += 2;
        break;
      }
      if (count !== fields) throw new Error(`COPY row has ${count} fields, expected ${fields}`);
      let q = p + 2;
      let complete = true;
      for (let f = 0; f < fields; f++) {
        if (q + 4 > n) {
          complete = false;
          break;
        }
        const l = buf.readInt32BE(q);
        q += 4;
        at[f] = q;
        len[f] = l;
        if (l > 0) q += l;
        if (q > n) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      this.onRow(buf, at, len);
      this.rows++;
      p = q;
    }
    if (p < n && !this.finished) this.carry = buf.subarray(p);
  }

  /** Call when the stream ended: throws when it stopped inside a row or before the trailer. */
  end(): void {
    if (!this.finished || this.carry !== undefined) throw new Error('COPY stream ended before its trailer: the data is cut short');
  }
}

/** A big-endian int8 field as a double (exact below 2^53). */
export function readInt8(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}
