/**
 * The one place TensorFlow.js is loaded. Every model and encoder that needs tensors calls `tensorflow()`,
 * which selects the WASM backend (SIMD, ~5x our JS GEMM; the pure-JS `cpu` backend is far slower) and
 * registers the kernels that backend lacks, so gradients flow through every op we use.
 * Loaded on first use, not at import: importing it costs about 0.5 s, which every command and every
 * evaluation worker would otherwise pay (trained models score without it: encoder-forward.ts).
 */
import type * as TfModule from '@tensorflow/tfjs';
import { UnirecError } from '../errors.js';

export type Tf = typeof TfModule;

let ready: Promise<Tf> | undefined;

/** What to install for the models that need TensorFlow.js (optional peer dependencies of unirec). */
export const TENSORFLOW_INSTALL = 'npm install @tensorflow/tfjs@^4.22.0 @tensorflow/tfjs-backend-wasm@^4.22.0';

/**
 * TensorFlow.js is optional (it is most of an install's size and only these models use it): a missing
 * package becomes an error that says what needs it and what to install; any other error passes through.
 */
export function notInstalled(err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && /@tensorflow\//.test(e.message)) {
    throw new UnirecError(
      `TensorFlow.js is not installed; sasrec, bert4rec, two-tower and the use-lite text encoder need it (an optional dependency of unirec): ${TENSORFLOW_INSTALL}`,
    );
  }
  throw err;
}

/** The TensorFlow.js namespace on the WASM backend, initialised once per thread. */
export function tensorflow(): Promise<Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs').catch(notInstalled);
    await import('@tensorflow/tfjs-backend-wasm').catch(notInstalled);
    registerMissingWasmKernels(tf);
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('TensorFlow.js WASM backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TfModule.TensorInfo;
  typedArrayFromHeap(t: TfModule.TensorInfo): Float32Array | Int32Array;
}

/**
 * The WASM backend has no UnsortedSegmentSum, which is the gradient of `gather` (embedding lookups).
 * A scatter-add over rows is memory-bound and simple, so a JS loop over the WASM heap is close to its floor.
 */
function registerMissingWasmKernels(tf: Tf): void {
  registerFastTransposedMatMul(tf);
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackend;
      const x = inputs.x as TfModule.TensorInfo;
      const segmentIds = inputs.segmentIds as TfModule.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const rowShape = x.shape.slice(1);
      const width = rowShape.reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
      const sums = wasm.typedArrayFromHeap(out);
      sums.fill(0);
      const values = wasm.typedArrayFromHeap(x);
      const ids = wasm.typedArrayFromHeap(segmentIds);
      for (let row = 0; row < ids.length; row++) {
        const segment = ids[row]!;
        if (segment < 0 || segment >= numSegments) continue;
        const to = segment * width;
        const from = row * width;
        for (let j = 0; j < width; j++) sums[to + j]! += values[from + j]!;
      }
      return out;
    },
  });
}

interface WasmKernelBackend {
  disposeData(dataId: object): void;
}

/**
 * The WASM BatchMatMul walks a transposed operand with a stride, which measured ~15x slower than the
 * plain product here (6400x64 by 64x1682: 1.45 s with transposeB vs 0.10 s without). Every backward
 * pass of a matMul uses the transposed forms (dA = dC B^T, dB = A^T dC), so we wrap the kernel: transpose
 * the operand into a fresh buffer (memory-bound, a few ms) and run the fast untransposed product.
 */
function registerFastTransposedMatMul(tf: Tf): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original || (original as { fastTransposed?: boolean }).fastTransposed) return;
  const transpose = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
  const matMul = original.kernelFunc;
  const swapLast = (x: TfModule.TensorInfo, backend: unknown): TfModule.TensorInfo => {
    const perm = x.shape.map((_, k) => k);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
    return transpose({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TfModule.TensorInfo;
  };
  tf.unregisterKernel('BatchMatMul', 'wasm');
  const config = {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    fastTransposed: true,
    setupFunc: original.setupFunc,
    kernelFunc: ({ inputs, backend, attrs }: { inputs: TfModule.NamedTensorInfoMap; backend: unknown; attrs?: TfModule.NamedAttrMap }) => {
      const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
      if (!transposeA && !transposeB) return matMul({ inputs, backend: backend as never, attrs });
      const a = transposeA ? swapLast(inputs.a as TfModule.TensorInfo, backend) : (inputs.a as TfModule.TensorInfo);
      const b = transposeB ? swapLast(inputs.b as TfModule.TensorInfo, backend) : (inputs.b as TfModule.TensorInfo);
      const out = matMul({ inputs: { a, b }, backend: backend as never, attrs: { ...attrs, transposeA: false, transposeB: false } });
      const wasm = backend as WasmKernelBackend;
      if (transposeA) wasm.disposeData(a.dataId);
      if (transposeB) wasm.disposeData(b.dataId);
      return out;
    },
  };
  tf.registerKernel(config as TfModule.KernelConfig);
}
