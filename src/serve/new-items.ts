import type { Catalog } from './catalog.js';
import { type LiveModel, modelItem } from './live-model.js';

/**
 * Items put in the catalogue after the served model was trained become retrievable without a retrain
 * when the model can compute an item's vector from its attributes (Recommender.itemVectorOf:
 * hybrid-mf, two-tower): the vector is appended to the model's item index (its stored vectors and HNSW graph),
 * the id to the live model's maps. An item deleted from the catalogue is marked removed in the index
 * (never retrieved; its graph node stays as a waypoint) and restored when it is put again. Each call
 * is synchronous, so a request sees the index before or after an item, never half of it. The stored
 * artifact is unchanged: items added here are added again when a server loads the model, and the
 * next training learns them.
 *
 * An item's vector is computed once, when it is first put: attributes changed later keep that vector
 * until the next training.
 */

/** After the catalogue put item `c` (catalogue index): adds it to the model's index, or restores it. Returns whether the model serves it now. */
export function addCatalogItem(live: LiveModel, catalog: Catalog, c: number): boolean {
  const index = live.model.itemIndex?.();
  if (!index) return false;
  const m = modelItem(live, catalog, c);
  if (m >= 0) {
    if (index.isRemoved(m) && !catalog.isDeleted(c)) index.restore(m);
    return true;
  }
  const attributes = catalog.attributesOf(c);
  const made = attributes && !catalog.isDeleted(c) ? live.model.itemVectorOf?.(attributes) : undefined;
  if (!made) return false;
  if (index.n !== live.items.size) throw new Error(`${live.label}: its item index holds ${index.n} items, its id map ${live.items.size}`);
  const i = index.add(made.vector, made.bias);
  live.items.add(catalog.items.external(c));
  grow(live, i + 1);
  live.toCatalog[i] = c;
  // the catalogue -> model map covers the items the catalogue had when the model was built: an item put
  // since then but before this model was swapped in sits in that range (at -1) and must point here now
  if (c < live.fromCatalog.length) live.fromCatalog[c] = i;
  return true;
}

/** Whether the served model recommends an item now; when it does not, why (for the client, at PUT /items/:id). */
export type Placement = { placed: true } | { placed: false; reason: string };

/** Where catalogue item `c` stands with the served model `live` (after addCatalogItem had its go). */
export function placementOf(live: LiveModel | undefined, catalog: Catalog, c: number): Placement {
  const after = 'it can be recommended once a model trained after it is served';
  if (!live) return { placed: false, reason: `no model is served yet: ${after}` };
  if (c < 0 || catalog.isDeleted(c)) return { placed: false, reason: `this server has not read the item back from the store yet: ${after}, or once it has` };
  const index = live.model.itemIndex?.();
  const m = modelItem(live, catalog, c);
  if (m >= 0 && !(index && m < index.n && index.isRemoved(m))) return { placed: true };
  if (!index || !live.model.itemVectorOf || live.model.placesNewItems?.() === false) {
    return { placed: false, reason: `${live.label} places only the items it was trained on (it has no attribute encoder for new ones): ${after}` };
  }
  const attributes = catalog.attributesOf(c);
  if (!attributes || !live.model.itemVectorOf(attributes)) {
    return { placed: false, reason: `none of its attributes names a feature ${live.label} knows (its vector would be empty): ${after}` };
  }
  return { placed: false, reason: `it could not be added to ${live.label}'s index (the server log says why): ${after}` };
}

/** After the catalogue deleted item `c`: the model's index never returns it again (until it is put back). */
export function removeCatalogItem(live: LiveModel, catalog: Catalog, c: number): void {
  const index = live.model.itemIndex?.();
  const m = modelItem(live, catalog, c);
  if (index && m >= 0 && m < index.n) index.remove(m);
}

/** The whole catalogue into a model being loaded or swapped in: items put since its training added, deleted ones removed. */
export function syncCatalogItems(live: LiveModel, catalog: Catalog, warn: (message: string) => void): void {
  if (!live.model.itemIndex) return;
  for (let c = 0; c < catalog.items.size; c++) {
    try {
      if (catalog.isDeleted(c)) removeCatalogItem(live, catalog, c);
      else if (catalog.attributesOf(c) !== undefined) addCatalogItem(live, catalog, c);
    } catch (err) {
      // one item the model cannot place must not keep the others out (or deleted ones in)
      warn(`item "${catalog.items.external(c)}" could not be added to ${live.label}'s index: ${(err as Error).message}`);
    }
  }
}

function grow(live: LiveModel, n: number): void {
  if (live.toCatalog.length >= n) return;
  const cap = Math.max(n, Math.ceil(live.toCatalog.length * 1.5));
  const toCatalog = new Int32Array(cap).fill(-1);
  toCatalog.set(live.toCatalog);
  live.toCatalog = toCatalog;
  live.scratch = { scores: new Float32Array(cap), exclude: new Uint8Array(cap) };
}
