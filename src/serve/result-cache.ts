import type { LiveModel } from './live-model.js';
import type { Recommendation, RecommendOptions } from './recommend.js';

interface Entry {
  live: LiveModel;
  lastSeq: number;
  catalogRevision: number;
  result: Recommendation;
}

/**
 * Finished recommendation lists, reused while nothing they depend on has changed: the served model
 * (a swap makes a new LiveModel), the user's history (their last event's sequence number) and the
 * catalogue (items added, changed or deleted). Scoring every item for a user costs ~1 ms with a
 * factor model; answering a repeated request from here costs microseconds. Fallback (popularity)
 * lists are not kept: they move with every event anyone posts. Least recently used entries go first.
 */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 50_000) {}

  static key(user: string, opts: RecommendOptions): string {
    return `${opts.k}\u0000${opts.explain ? 1 : 0}\u0000${opts.filter ?? ''}\u0000${user}`;
  }

  get(key: string, live: LiveModel, lastSeq: number, catalogRevision: number): Recommendation | undefined {
    const e = this.entries.get(key);
    if (!e || e.live !== live || e.lastSeq !== lastSeq || e.catalogRevision !== catalogRevision) return undefined;
    this.entries.delete(key); // Map order is the LRU order: move to the back
    this.entries.set(key, e);
    return e.result;
  }

  set(key: string, live: LiveModel, lastSeq: number, catalogRevision: number, result: Recommendation): void {
    this.entries.delete(key);
    this.entries.set(key, { live, lastSeq, catalogRevision, result });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
