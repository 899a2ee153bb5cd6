/**
 * Top-k selection without sorting all items: a bounded min-heap of size k, O(n log k).
 * Ties are broken by the lower index so results are deterministic.
 */
export interface TopK {
  /** indices, best first */
  indices: Int32Array;
  /** scores, same order */
  scores: Float32Array;
}

/**
 * The k best entries of `scores`, skipping indices where `exclude` (if given) is non-zero and
 * scores that are NaN or -Infinity.
 */
export function topK(scores: Float32Array, k: number, exclude?: Uint8Array): TopK {
  const cap = Math.max(0, Math.min(k, scores.length));
  const heap = new MinHeap(cap);
  const n = scores.length;
  if (cap === 0) return { indices: new Int32Array(0), scores: new Float32Array(0) };
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    // The common case in a long list: worse than the current k-th best, rejected with one compare.
    if (heap.size === cap && s < heap.rootScore) continue;
    if (!(s > -Infinity)) continue; // NaN and -Infinity are never recommended
    if (exclude !== undefined && exclude[i] !== 0) continue;
    heap.offer(s, i);
  }
  return heap.drainBestFirst();
}

/** A min-heap of (score, index) keeping the `cap` best; "worse" = lower score, or same score and higher index. */
export class MinHeap {
  readonly score: Float64Array;
  readonly index: Int32Array;
  size = 0;
  rootScore = -Infinity;

  constructor(readonly cap: number) {
    this.score = new Float64Array(cap);
    this.index = new Int32Array(cap);
  }

  offer(s: number, i: number): void {
    const score = this.score;
    const index = this.index;
    if (this.size < this.cap) {
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const ps = score[parent]!;
        if (!(s < ps || (s === ps && i > index[parent]!))) break;
        score[at] = ps;
        index[at] = index[parent]!;
        at = parent;
      }
      score[at] = s;
      index[at] = i;
    } else {
      const rs = score[0]!;
      if (s < rs || (s === rs && i > index[0]!)) return; // not better than the worst kept
      this.siftDown(s, i);
    }
    this.rootScore = score[0]!;
  }

  /** Replace the root by (s, i) and restore the heap. */
  private siftDown(s: number, i: number): void {
    const score = this.score;
    const index = this.index;
    const size = this.size;
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const r = l + 1;
      let c = l;
      if (r < size) {
        const rs = score[r]!;
        const ls = score[l]!;
        if (rs < ls || (rs === ls && index[r]! > index[l]!)) c = r;
      }
      const cs = score[c]!;
      if (!(cs < s || (cs === s && index[c]! > i))) break;
      score[at] = cs;
      index[at] = index[c]!;
      at = c;
    }
    score[at] = s;
    index[at] = i;
  }

  /** Empties the heap into arrays ordered best first. */
  drainBestFirst(): TopK {
    const n = this.size;
    const indices = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let out = n - 1; out >= 0; out--) {
      indices[out] = this.index[0]!;
      scores[out] = this.score[0]!;
      const lastS = this.score[this.size - 1]!;
      const lastI = this.index[this.size - 1]!;
      this.size--;
      if (this.size > 0) this.siftDown(lastS, lastI);
    }
    this.rootScore = -Infinity;
    return { indices, scores };
  }
}
