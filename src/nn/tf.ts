/**
 * The one place TensorFlow.js is loaded. Every model and encoder that needs tensors calls `tensorflow()`,
 * which selects the WASM backend (SIMD, ~5x our JS GEMM; the pure-JS `cpu` backend is far slower) and
 * registers the kernels that backend lacks, so gradients flow through every op we use.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;

let ready: Promise<Tf> | undefined;

/** The TensorFlow.js namespace on the WASM backend, initialised once per thread. */
export function tensorflow(): Promise<Tf> {
  ready ??= (async () => {
    registerMissingWasmKernels();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('TensorFlow.js WASM backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

/**
 * The WASM backend has no UnsortedSegmentSum, which is the gradient of `gather` (embedding lookups).
 * A scatter-add over rows is memory-bound and simple, so a JS loop over the WASM heap is close to its floor.
 */
function registerMissingWasmKernels(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackend;
      const x = inputs.x as tf.TensorInfo;
      const segmentIds = inputs.segmentIds as tf.TensorInfo;
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
