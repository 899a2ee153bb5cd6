/**
 * A model artifact's bytes, whole or in pieces. An artifact can pass the 1 GB a SQLite value or a
 * PostgreSQL bytea may hold (10^6 items with an HNSW graph: 1.2 GB), so the stores keep it as a run of
 * chunks, the codec writes it as a list of pieces (the header, then views on the model's own arrays) and
 * reads it from a list of chunks: no step needs the whole artifact as one contiguous copy.
 */

/** One array of bytes, or its pieces in order. */
export type ArtifactBytes = Uint8Array | readonly Uint8Array[];

/** The chunk size the stores write (64 MiB: far under the 1 GB cap, few rows per artifact). */
export const ARTIFACT_CHUNK_BYTES = 64 * 2 ** 20;

export function pieces(bytes: ArtifactBytes): readonly Uint8Array[] {
  return bytes instanceof Uint8Array ? [bytes] : bytes;
}

export function byteLength(bytes: ArtifactBytes): number {
  let n = 0;
  for (const p of pieces(bytes)) n += p.byteLength;
  return n;
}

/** The bytes as one array (a copy unless they already are one). */
export function concatBytes(bytes: ArtifactBytes): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes.length === 1) return bytes[0]!;
  const out = new Uint8Array(byteLength(bytes));
  let at = 0;
  for (const p of bytes) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * The bytes cut into chunks of `size` (the last one shorter). A chunk that lies inside one piece is a
 * view on it; a chunk that spans pieces is copied into one scratch buffer, reused for every such chunk:
 * a chunk is valid until the next one is asked for (write it before moving on), and saving an artifact
 * needs no memory beyond the arrays and that one buffer.
 */
export function* chunksOf(bytes: ArtifactBytes, size: number): Generator<Uint8Array> {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`chunk size must be a positive integer, not ${size}`);
  const reader = new ByteReader(bytes);
  let scratch: Uint8Array | undefined;
  for (let at = 0; at < reader.length; at += size) {
    const end = Math.min(at + size, reader.length);
    const view = reader.view(at, end);
    if (view) {
      yield view;
    } else {
      scratch ??= new Uint8Array(Math.min(size, reader.length));
      const out = scratch.subarray(0, end - at);
      reader.copy(at, out);
      yield out;
    }
  }
}

/** Random access to a list of pieces as one run of bytes. */
export class ByteReader {
  readonly length: number;
  private readonly parts: readonly Uint8Array[];
  /** where each piece starts */
  private readonly starts: number[];

  constructor(bytes: ArtifactBytes) {
    this.parts = pieces(bytes);
    this.starts = [];
    let n = 0;
    for (const p of this.parts) {
      this.starts.push(n);
      n += p.byteLength;
    }
    this.length = n;
  }

  /** Copies bytes [start, start + out.length) into `out`. */
  copy(start: number, out: Uint8Array): void {
    if (start < 0 || start + out.byteLength > this.length) throw new RangeError('read past the end of the bytes');
    if (out.byteLength === 0) return;
    let k = this.pieceAt(start);
    let done = 0;
    while (done < out.byteLength) {
      const p = this.parts[k]!;
      const from = start + done - this.starts[k]!;
      const n = Math.min(p.byteLength - from, out.byteLength - done);
      out.set(p.subarray(from, from + n), done);
      done += n;
      k++;
    }
  }

  /** Bytes [start, end) as a view, when they lie in one piece (else undefined). */
  view(start: number, end: number): Uint8Array | undefined {
    if (end <= start) return new Uint8Array(0);
    const k = this.pieceAt(start);
    const from = start - this.starts[k]!;
    return from + (end - start) <= this.parts[k]!.byteLength ? this.parts[k]!.subarray(from, from + (end - start)) : undefined;
  }

  /** The index of the piece that holds byte `at` (binary search). */
  private pieceAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    // empty pieces share their start with the next one: step onto the piece that holds the byte
    while (lo < this.parts.length - 1 && this.starts[lo]! + this.parts[lo]!.byteLength <= at) lo++;
    return lo;
  }
}
