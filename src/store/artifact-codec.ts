import { endianness } from 'node:os';
import { UnirecError } from '../errors.js';
import type { ModelArtifact } from '../models/recommender.js';
import { type ArtifactBytes, ByteReader, concatBytes } from './artifact-bytes.js';

/**
 * A model artifact as bytes, so it can live in a database column or a file:
 *
 *   "UNRA" | u32 format version | u32 header length | header JSON (UTF-8) | pad to 8 | blobs, each 8-aligned
 *
 * The header holds the model name, its artifact version, params, meta, the external ids the dense ids
 * stand for, and for each typed array its name, element type, byte offset (from the start of the blobs)
 * and length. Blobs are the arrays' bytes in little-endian order, raw, so encoding and decoding are
 * memory copies. An artifact is written as pieces (`encodeArtifactPieces`: the header, then views on the
 * arrays themselves) and read from pieces (a store's chunks), so neither side needs it as one copy.
 */

const MAGIC = 'UNRA';
const FORMAT = 1;

type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type ElementType = 'f32' | 'f64' | 'i32' | 'u8';

const CTORS = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;

/** The external ids behind a model's dense user and item ids. */
export interface ArtifactIds {
  users: readonly string[];
  items: readonly string[];
}

interface Header {
  model: string;
  version: number;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  ids?: ArtifactIds;
  arrays: { name: string; type: ElementType; offset: number; length: number }[];
}

function elementType(a: TypedArray): ElementType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint8Array) return 'u8';
  throw new UnirecError('artifact arrays must be Float32Array, Float64Array, Int32Array or Uint8Array');
}

const align8 = (n: number): number => (n + 7) & ~7;

function checkEndianness(): void {
  // Blobs are written as the machine holds them; every platform Node runs on in practice is little-endian.
  if (endianness() !== 'LE') throw new UnirecError('model artifacts need a little-endian machine');
}

/**
 * The artifact's bytes as pieces in order: the header, then each array's own bytes (views, not copies)
 * with the zero padding that aligns the next. Valid while the arrays are not changed.
 */
export function encodeArtifactPieces(artifact: ModelArtifact, ids?: ArtifactIds): Uint8Array[] {
  checkEndianness();
  const arrays: Header['arrays'] = [];
  const entries = Object.entries(artifact.arrays);
  let at = 0;
  for (const [name, a] of entries) {
    arrays.push({ name, type: elementType(a), offset: at, length: a.length });
    at = align8(at + a.byteLength);
  }
  const header: Header = { model: artifact.model, version: artifact.version, params: artifact.params, meta: artifact.meta, ...(ids ? { ids } : {}), arrays };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const head = new Uint8Array(align8(12 + headerBytes.length));
  head.set(Buffer.from(MAGIC, 'ascii'), 0);
  const view = new DataView(head.buffer);
  view.setUint32(4, FORMAT, true);
  view.setUint32(8, headerBytes.length, true);
  head.set(headerBytes, 12);
  const out: Uint8Array[] = [head];
  for (const [, a] of entries) {
    if (a.byteLength > 0) out.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const pad = align8(a.byteLength) - a.byteLength;
    if (pad > 0) out.push(new Uint8Array(pad));
  }
  return out;
}

/** The artifact as one array of bytes (a file, a test). */
export function encodeArtifact(artifact: ModelArtifact, ids?: ArtifactIds): Uint8Array {
  return concatBytes(encodeArtifactPieces(artifact, ids));
}

/** The artifact in `bytes`: one array or its chunks in order (each array is copied out once, into its own memory). */
export function decodeArtifact(bytes: ArtifactBytes): { artifact: ModelArtifact; ids?: ArtifactIds } {
  checkEndianness();
  const bad = (why: string): never => {
    throw new UnirecError(`not a readable unirec model artifact: ${why}`);
  };
  const reader = new ByteReader(bytes);
  if (reader.length < 12) bad('wrong magic bytes');
  const start12 = Buffer.alloc(12);
  reader.copy(0, start12);
  if (start12.toString('ascii', 0, 4) !== MAGIC) bad('wrong magic bytes');
  const format = start12.readUInt32LE(4);
  if (format !== FORMAT) bad(`format version ${format} (this unirec reads ${FORMAT})`);
  const headerLength = start12.readUInt32LE(8);
  if (12 + headerLength > reader.length) bad('header runs past the end');
  let header: Header;
  try {
    const headerBytes = Buffer.alloc(headerLength);
    reader.copy(12, headerBytes);
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch {
    return bad('header is not JSON');
  }
  const dataStart = align8(12 + headerLength);
  const arrays: ModelArtifact['arrays'] = {};
  for (const a of header.arrays ?? []) {
    const ctor = CTORS[a.type];
    if (!ctor) bad(`array "${a.name}" has unknown type ${a.type}`);
    const byteLength = a.length * ctor.BYTES_PER_ELEMENT;
    const start = dataStart + a.offset;
    if (!(Number.isInteger(a.offset) && a.offset >= 0 && Number.isInteger(a.length) && a.length >= 0 && start + byteLength <= reader.length)) {
      bad(`array "${a.name}" runs past the end`);
    }
    // A copy, so the array is aligned and owns its memory whatever buffer the bytes came in.
    const copy = new ctor(a.length);
    reader.copy(start, new Uint8Array(copy.buffer));
    arrays[a.name] = copy;
  }
  const artifact: ModelArtifact = { model: header.model, version: header.version, params: header.params ?? {}, meta: header.meta ?? {}, arrays };
  return header.ids ? { artifact, ids: header.ids } : { artifact };
}
