import { MinHeap, topK, type TopK } from '../math/topk.js';
import { Int8Store } from './int8-store.js';
import type { VectorStore } from './vector-store.js';

/**
 * The exact index: score every stored row, keep the k best with a bounded heap (math/topk.ts), skipping
 * excluded items. On int8 rows the scan is the quantized first pass (integer dot products) keeping
 * rerank * k candidates, which are then re-scored on the stored rows with the float query: the
 * returned scores are always q . row on the stored form. FLOPs 2 dim n + O(n log k).
 */
export function exactTop(store: VectorStore, q: Float64Array, k: number, scratch: Float32Array, exclude?: Uint8Array, rerank = 4, bias?: Float32Array): TopK {
  const scores = scratch.subarray(0, store.n);
  if (store instanceof Int8Store) {
    store.scoreQuantized(q, scores);
    addBias(scores, bias);
    const first = topK(scores, Math.max(k, rerank * k), exclude);
    return rescore(store, q, first.indices, k, undefined, bias);
  }
  store.scoreAll(q, scores);
  addBias(scores, bias);
  return topK(scores, k, exclude);
}

/** scores[i] += bias[i] (an item bias: score = q . y_i + b_i) */
export function addBias(scores: Float32Array, bias: Float32Array | undefined): void {
  if (bias) for (let i = 0; i < scores.length; i++) scores[i]! += bias[i]!;
}

/** The k best of `candidates` by q . row (+ bias) on the stored form, skipping excluded ones, best first. */
export function rescore(store: VectorStore, q: Float64Array, candidates: ArrayLike<number>, k: number, exclude?: Uint8Array, bias?: Float32Array): TopK {
  const heap = new MinHeap(Math.max(0, Math.min(k, candidates.length)));
  if (heap.cap === 0) return heap.drainBestFirst();
  for (let t = 0; t < candidates.length; t++) {
    const i = candidates[t]!;
    if (exclude !== undefined && exclude[i]) continue;
    const s = store.dot(q, i) + (bias ? bias[i]! : 0);
    if (s > -Infinity) heap.offer(s, i);
  }
  return heap.drainBestFirst();
}
