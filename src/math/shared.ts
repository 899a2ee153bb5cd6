import { Csr } from '../data/csr.js';

/**
 * Moving inputs to worker threads without one copy per worker: typed arrays are copied once into
 * SharedArrayBuffers, CSR matrices are flattened to their arrays, and the worker rebuilds them.
 */
type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export function toShared<T extends TypedArray>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as any);
  return out;
}

export function packForWorker(value: unknown): unknown {
  if (value instanceof Csr) {
    return {
      __csr: true,
      nRows: value.nRows,
      nCols: value.nCols,
      indptr: toShared(value.indptr),
      indices: toShared(value.indices),
      data: toShared(value.data),
    };
  }
  if (ArrayBuffer.isView(value)) return toShared(value as TypedArray);
  if (Array.isArray(value)) return value.map(packForWorker);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = packForWorker(v);
    return out;
  }
  return value;
}

export function unpackInWorker(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unpackInWorker);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const v = value as Record<string, any>;
    if (v.__csr) return new Csr(v.nRows, v.nCols, v.indptr, v.indices, v.data);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = unpackInWorker(x);
    return out;
  }
  return value;
}

/** Typed arrays inside a result, to transfer (not copy) back to the main thread. */
export function transferables(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}
