import type { Dataset } from '../data/dataset.js';
import { tableFromAttributes } from './attribute-table.js';
import type { StoreSnapshot } from './store.js';

/**
 * The store's contents as a Dataset, ids in store order, events in log order, ready for cleanDataset and
 * makeTrainData. Ratings: the data has them when some event is of kind 'rating' (imports of rating
 * files write that kind; clicks and purchases posted later keep their own kinds and value 1).
 */
export function datasetFromSnapshot(snap: StoreSnapshot, name = 'store'): Dataset {
  const x = snap.interactions;
  let hasTime = false;
  for (let r = 0; r < x.length && !hasTime; r++) hasTime = !Number.isNaN(x.ts[r]!);
  const ds: Dataset = {
    name,
    source: 'store',
    users: snap.users,
    items: snap.items,
    interactions: x,
    hasRatings: snap.kinds.includes('rating'),
    hasTime,
    notes: [],
  };
  const itemTable = tableFromAttributes(snap.itemAttributes);
  const userTable = tableFromAttributes(snap.userAttributes);
  if (itemTable) ds.itemTable = itemTable;
  if (userTable) ds.userTable = userTable;
  return ds;
}
