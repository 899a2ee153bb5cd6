import type { AttributeTable } from './attributes.js';
import { Csr } from './csr.js';
import type { IdMap } from './idmap.js';
import type { Interactions } from './interactions.js';
import type { ValueKind } from './value-kind.js';
import type { UserRelation } from './relation.js';

/**
 * A loaded dataset: dense id maps, columnar interactions and the attribute tables that came with them.
 * Produced by every reader; consumed by cleaning, splitting, models and the evaluator.
 */
export interface Dataset {
  /** Short name for printing (folder name or config name). */
  name: string;
  /** What kind of source: 'ml-100k', 'ml-1m', 'ml-latest-small', 'sequence', 'generic', 'synthetic'. */
  source: string;
  users: IdMap;
  items: IdMap;
  interactions: Interactions;
  itemTable?: AttributeTable;
  userTable?: AttributeTable;
  /** True when `value` holds explicit ratings (not just 1 for "interacted"). */
  hasRatings: boolean;
  /** True when `ts` holds a real order (time or sequence position). */
  hasTime: boolean;
  /**
   * What `value` holds when the source said so: 'rating' (explicit), 'count' (plays, purchases: turned
   * into a confidence 1 + ln(count) by cleanDataset), 'weight' (used as is). Undefined: ratings when
   * hasRatings, else 1 per event.
   */
  valueKind?: ValueKind;
  /** A user-user relation (follows, friends) read with the data; see UserRelation. */
  relation?: UserRelation;
  /** Things the user should know about this data (missing columns, skipped rows...). */
  notes: string[];
  /** Publisher-defined k-fold splits as lists of test-row indices into `interactions` (ml-100k u1..u5). */
  folds?: Int32Array[];
}

/**
 * Training view handed to models: interactions (every event, repeats included) plus both CSR
 * orientations (each (user, item) pair once) and the attribute tables.
 */
export interface TrainData {
  nUsers: number;
  nItems: number;
  interactions: Interactions;
  /** rows = users, columns = items */
  byUser: Csr;
  /** rows = items, columns = users */
  byItem: Csr;
  hasRatings: boolean;
  itemTable?: AttributeTable;
  userTable?: AttributeTable;
  /** the data's user-user relation (follows, friends), over all users of the dataset */
  relation?: UserRelation;
}

export function makeTrainData(
  interactions: Interactions,
  nUsers: number,
  nItems: number,
  extra: { hasRatings?: boolean; itemTable?: AttributeTable; userTable?: AttributeTable; relation?: UserRelation } = {},
): TrainData {
  // events kept with --dedupe none stay in `interactions` (sequence models use them); the matrices hold
  // each (user, item) once: implicit values summed, the later rating kept
  const byUser = Csr.byUser(interactions, nUsers, nItems).mergeDuplicates(extra.hasRatings ? 'last' : 'sum');
  return {
    nUsers,
    nItems,
    interactions,
    byUser,
    byItem: byUser.transpose(),
    hasRatings: extra.hasRatings ?? false,
    itemTable: extra.itemTable,
    userTable: extra.userTable,
    ...(extra.relation && { relation: extra.relation }),
  };
}
