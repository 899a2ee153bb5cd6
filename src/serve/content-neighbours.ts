import type { Csr } from '../data/csr.js';
import { itemFeatures } from '../features/item.js';
import { topK } from '../math/topk.js';
import { tableFromAttributes } from '../store/attribute-table.js';
import type { Attributes, Store } from '../store/store.js';
import type { Catalog } from './catalog.js';

export interface ContentNeighbour {
  id: string;
  /** cosine of the two items' feature vectors (0..1) */
  score: number;
  title?: string;
  /** the features both items have, largest share of the score first */
  shared: string[];
}

interface Features {
  revision: number;
  size: number;
  /** catalogue items x features, L2-normalised rows (the same encoding the content model uses) */
  byItem: Csr;
  /** features x items, to score every item against one in a pass over its features only */
  byFeature: Csr;
  names: string[];
}

/**
 * Items like an item by their attributes (category, tags, title words, price bins...), encoded as the
 * content model encodes them (features/item.ts) whatever model is served. The feature matrix is built
 * from the catalogue's attributes on first use and again only after an item was put, deleted or first
 * seen in an event.
 */
export class ContentNeighbours {
  private features: Features | undefined;

  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog,
  ) {}

  /** The k most similar items by attributes; empty when the item has no usable attributes. */
  async similar(item: string, k: number): Promise<ContentNeighbour[]> {
    const f = await this.current();
    const c0 = this.catalog.items.get(item);
    if (!f || c0 < 0 || c0 >= f.byItem.nRows) return [];
    const scores = new Float32Array(f.byItem.nRows);
    const qi = f.byItem.rowIndices(c0);
    const qv = f.byItem.rowData(c0);
    for (let p = 0; p < qi.length; p++) {
      const col = qi[p]!;
      const w = qv[p]!;
      for (let k2 = f.byFeature.indptr[col]!; k2 < f.byFeature.indptr[col + 1]!; k2++) scores[f.byFeature.indices[k2]!]! += w * f.byFeature.data[k2]!;
    }
    const exclude = new Uint8Array(scores.length);
    exclude[c0] = 1;
    for (const c of this.catalog.deletedItems()) if (c < exclude.length) exclude[c] = 1;
    const best = topK(scores, k, exclude);
    const out: ContentNeighbour[] = [];
    for (let r = 0; r < best.indices.length; r++) {
      if (best.scores[r]! <= 0) break;
      const c = best.indices[r]!;
      const title = this.catalog.title(c);
      out.push({ id: this.catalog.items.external(c), score: best.scores[r]!, ...(title === undefined ? {} : { title }), shared: sharedFeatures(f, c0, c, 3) });
    }
    return out;
  }

  /** Builds the feature matrix now rather than on the first request. */
  async prepare(): Promise<void> {
    await this.current();
  }

  private async current(): Promise<Features | undefined> {
    const { revision } = this.catalog;
    const size = this.catalog.items.size;
    if (this.features && this.features.revision === revision && this.features.size === size) return this.features;
    const rows: (Attributes | undefined)[] = new Array(size);
    for (let c = 0; c < size; c++) rows[c] = this.catalog.isDeleted(c) ? undefined : await this.store.getItem(this.catalog.items.external(c));
    const table = tableFromAttributes(rows);
    if (!table) return undefined;
    const { matrix, names } = itemFeatures(table);
    this.features = { revision, size, byItem: matrix, byFeature: matrix.transpose(), names };
    return this.features;
  }
}

/** The features two rows share, by their part of the cosine, largest first. */
function sharedFeatures(f: Features, a: number, b: number, limit: number): string[] {
  const parts: { name: string; w: number }[] = [];
  const m = f.byItem;
  let p = m.indptr[a]!;
  let q = m.indptr[b]!;
  while (p < m.indptr[a + 1]! && q < m.indptr[b + 1]!) {
    const ca = m.indices[p]!;
    const cb = m.indices[q]!;
    if (ca === cb) parts.push({ name: f.names[ca]!, w: m.data[p++]! * m.data[q++]! });
    else if (ca < cb) p++;
    else q++;
  }
  return parts
    .sort((x, y) => y.w - x.w)
    .slice(0, limit)
    .map((x) => x.name);
}
