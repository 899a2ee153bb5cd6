import type { AttributeTable } from '../data/attributes.js';
import type { Progress } from '../progress.js';
import { removeCommonComponent } from './common-component.js';
import { itemTexts, type ItemTextOptions } from './item-text.js';
import { loadTextEncoder, type TextEncoderOptions } from './load.js';

/** Dense text vectors of a catalogue: one row per item, zero for items without text. */
export interface ItemTextVectors {
  /** nItems x dim, row-major */
  vectors: Float32Array;
  dim: number;
  /** 1 where the item had text */
  hasText: Uint8Array;
  /** the encoder's cache key (what made the vectors) */
  encoder: string;
}

export interface ItemVectorOptions extends TextEncoderOptions, ItemTextOptions {
  /**
   * Remove what all item texts share (SIF's common-component removal: the first principal
   * direction), so the similarity of two items reflects what tells them apart. Default true.
   */
  removeCommon?: boolean;
  progress?: Progress;
}

/** Encodes every item's text (item-text.ts) with the encoder (through its cache). */
export async function itemTextVectors(table: AttributeTable, options: ItemVectorOptions): Promise<ItemTextVectors> {
  const texts = itemTexts(table, options);
  const rows: number[] = [];
  texts.forEach((t, r) => t && rows.push(r));
  const encoder = await loadTextEncoder(options);
  const dim = encoder.dim;
  const vectors = new Float32Array(table.size * dim);
  const hasText = new Uint8Array(table.size);
  const task = options.progress?.start(`text vectors (${encoder.name})`, rows.length);
  try {
    // chunks, so the progress bar moves and the cache is written as we go
    const chunk = 512;
    for (let b = 0; b < rows.length; b += chunk) {
      const part = rows.slice(b, b + chunk);
      const v = await encoder.encode(part.map((r) => texts[r]!));
      part.forEach((r, k) => {
        vectors.set(v.subarray(k * dim, (k + 1) * dim), r * dim);
        hasText[r] = 1;
      });
      task?.tick(part.length);
    }
  } finally {
    task?.done();
    encoder.dispose?.();
  }
  if (options.removeCommon ?? true) {
    const withText = new Float32Array(rows.length * dim);
    rows.forEach((r, k) => withText.set(vectors.subarray(r * dim, (r + 1) * dim), k * dim));
    removeCommonComponent(withText, dim);
    rows.forEach((r, k) => vectors.set(withText.subarray(k * dim, (k + 1) * dim), r * dim));
  }
  return { vectors, dim, hasText, encoder: encoder.cacheKey };
}
