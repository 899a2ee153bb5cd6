import type { LiveModel } from './live-model.js';

interface Entry {
  live: LiveModel;
  lastSeq: number;
  scores: Float32Array;
}

/**
 * Fold-in scores of recent users, kept until the user's next event or the next model: solving a
 * user's factors from their history (ALS, BPR...) costs far more than ranking, and it only needs
 * redoing when the history changes. Least recently used entries go first, within a memory budget.
 */
export class FoldCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(user: string, live: LiveModel, lastSeq: number): Float32Array | undefined {
    const e = this.entries.get(user);
    if (!e || e.live !== live || e.lastSeq !== lastSeq) return undefined;
    this.entries.delete(user); // Map order is the LRU order: move to the back
    this.entries.set(user, e);
    return e.scores;
  }

  set(user: string, live: LiveModel, lastSeq: number, scores: Float32Array): void {
    this.entries.delete(user);
    this.entries.set(user, { live, lastSeq, scores });
    while (this.entries.size > 1 && this.entries.size * scores.byteLength > this.maxBytes) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
