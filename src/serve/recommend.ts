import { listsFromIndex } from '../models/factor-retrieval.js';
import { topK } from '../math/topk.js';
import type { History, Reason } from '../models/recommender.js';
import type { Catalog, UserHistory } from './catalog.js';
import type { FoldCache } from './fold-cache.js';
import { type LiveModel, modelItem } from './live-model.js';

export interface RecommendedItem {
  id: string;
  score: number;
  title?: string;
  reasons: string[];
}

export interface Recommendation {
  user: string;
  items: RecommendedItem[];
  /** "name@version" of what ranked the list ("popularity@live" for the fallback) */
  model: string;
  fallback: boolean;
}

export interface RecommendOptions {
  k: number;
  /** `attr:value[,attr:value]`: only items matching every clause */
  filter?: string;
  explain?: boolean;
}

/** The fallback ranking's label: popularity counted from the events the server holds right now. */
export const POPULARITY_LABEL = 'popularity@live';

/**
 * The top-k items for a user, never an item they have interacted with or a deleted one.
 * - a user the model was trained on, with no event since: the model's own score;
 * - a user with events the model has not seen (new, or active since training): fold-in from their
 *   whole history, so an event is reflected in the very next request without retraining;
 * - no model, an unknown user, or a model that cannot fold in: popularity, flagged as a fallback.
 */
export function recommend(catalog: Catalog, live: LiveModel | undefined, user: string, opts: RecommendOptions, cache?: FoldCache): Recommendation {
  const history = catalog.users.get(user);
  if (!live) return popular(catalog, user, history, opts, 'no model is trained yet: the most popular items');
  if (!history) return popular(catalog, user, history, opts, 'new user with no history yet: the most popular items');

  // the scratch may be longer than the items (it grows ahead of items added from the catalogue)
  const exclude = live.scratch.exclude.subarray(0, live.items.size);
  let scores = live.scratch.scores.subarray(0, live.items.size);
  exclude.fill(0);
  // The user's items in the model's ids, each once with its latest value (as training dedupes), in order;
  // items added to the model since training are excluded but not folded in (the model learnt nothing of them).
  const items: number[] = [];
  const values: number[] = [];
  for (let t = history.items.length - 1; t >= 0; t--) {
    const m = modelItem(live, catalog, history.items[t]!);
    if (m < 0 || exclude[m]) continue;
    exclude[m] = 1;
    if (m >= live.trainedItems) continue;
    items.push(m);
    values.push(history.values[t]!);
  }
  items.reverse();
  values.reverse();

  const u = live.users.get(user);
  const upToDate = u >= 0 && history.lastSeq <= live.trainedThroughSeq;
  // A model serving from an index (HNSW, compressed vectors), or one with items added from the
  // catalogue since training (new-items.ts: only its index has them), is asked for its top k directly:
  // no score for every item is computed.
  const indexed = listsFromIndex(live.model) || live.items.size > live.trainedItems;
  let how: 'trained' | 'folded' | 'stale';
  let foldedHistory: History | undefined;
  if (upToDate) {
    if (!indexed) live.model.scoreUser(u, scores);
    how = 'trained';
  } else if (live.model.foldIn && items.length > 0) {
    foldedHistory = { items: Int32Array.from(items), values: Float32Array.from(values), ...(u >= 0 ? { user: u } : {}) };
    const cached = indexed ? undefined : cache?.get(user, live, history.lastSeq);
    if (cached) scores = cached;
    else if (!indexed) {
      scores = new Float32Array(live.items.size);
      live.model.foldIn(foldedHistory, scores);
      cache?.set(user, live, history.lastSeq, scores);
    }
    how = 'folded';
  } else if (u >= 0) {
    if (!indexed) live.model.scoreUser(u, scores);
    how = 'stale';
  } else {
    const why = live.model.foldIn ? `none of this user's items is known to ${live.label} yet` : `${live.label} cannot score a user it was not trained on`;
    return popular(catalog, user, history, opts, `${why}: the most popular items`);
  }

  // Counted as they are marked: a scan of `exclude` would cost a pass over the catalogue per request
  // (about 1 ms at 10^6 items), more than the index search it feeds.
  let excluded = items.length;
  for (const c of catalog.unlisted()) {
    const m = modelItem(live, catalog, c);
    if (m >= 0 && !exclude[m]) {
      exclude[m] = 1;
      excluded++;
    }
  }
  if (opts.filter) {
    const allowed = catalog.matching(opts.filter);
    for (let m = 0; m < exclude.length; m++) {
      const c = live.toCatalog[m]!;
      if (!exclude[m] && (c < 0 || !allowed[c])) {
        exclude[m] = 1;
        excluded++;
      }
    }
  }
  let best;
  if (indexed) {
    best = live.model.retrieve!(how === 'folded' ? foldedHistory! : u, opts.k, exclude, excluded);
  } else best = topK(scores, opts.k, exclude);
  if (best.scores.length > 0 && best.scores.every((s) => s === 0)) {
    return popular(catalog, user, history, opts, `${live.label} finds no signal in this history: the most popular items`);
  }
  const recent = `scored from your ${items.length} events, including ones newer than ${live.label} (no retraining)`;
  return {
    user,
    items: Array.from(best.indices, (m, r) => {
      const c = live.toCatalog[m]!;
      let reasons: string[] = [];
      if (opts.explain && m >= live.trainedItems) {
        // put after training and placed by its attributes: the model has learnt nothing else about it
        reasons = [`new since ${live.label} was trained: placed by its attributes (no retraining)`];
      } else if (opts.explain) {
        // Folded in: say so, then name the user's items behind the score when the model can.
        if (how === 'folded') reasons = [recent, ...(live.model.explainHistory?.(foldedHistory!, m, 3) ?? []).map((x) => reasonText(x, live, catalog))];
        else if (live.model.explain) reasons = live.model.explain(u, m, 3).map((x) => reasonText(x, live, catalog));
        if (how === 'stale') reasons.push(`your newest events are not in ${live.label} yet`);
      }
      return entry(live.items.external(m), best.scores[r]!, c >= 0 ? catalog.title(c) : undefined, reasons);
    }),
    model: live.label,
    fallback: false,
  };
}

/** Most popular first, excluding the user's items, deleted items and items the filter rejects. */
function popular(catalog: Catalog, user: string, history: UserHistory | undefined, opts: RecommendOptions, why: string): Recommendation {
  const pop = catalog.popularity();
  const exclude = new Uint8Array(pop.length);
  if (history) for (const c of history.items) exclude[c] = 1;
  for (const c of catalog.unlisted()) exclude[c] = 1;
  if (opts.filter) {
    const allowed = catalog.matching(opts.filter);
    for (let c = 0; c < exclude.length; c++) if (!allowed[c]) exclude[c] = 1;
  }
  const best = topK(pop, opts.k, exclude);
  return {
    user,
    items: Array.from(best.indices, (c, r) =>
      entry(catalog.items.external(c), best.scores[r]!, catalog.title(c), [why, `popular: ${best.scores[r]} events`]),
    ),
    model: POPULARITY_LABEL,
    fallback: true,
  };
}

export interface Similar {
  item: string;
  items: RecommendedItem[];
  model: string;
  fallback: boolean;
}

/** The k items most like `item` (undefined when the catalogue does not have it). */
export function similar(catalog: Catalog, live: LiveModel | undefined, item: string, k: number): Similar | undefined {
  const c0 = catalog.items.get(item);
  if (c0 < 0 || catalog.isDeleted(c0)) return undefined;
  const m0 = live ? live.items.get(item) : -1;
  if (live && live.model.similarItems && m0 >= 0) {
    // Ask for extra neighbours so that dropping deleted ones still leaves k.
    const best = live.model.similarItems(m0, k + catalog.unlisted().size);
    const items: RecommendedItem[] = [];
    for (let r = 0; r < best.indices.length && items.length < k; r++) {
      const m = best.indices[r]!;
      const c = live.toCatalog[m]!;
      if (m === m0 || (c >= 0 && !catalog.isListed(c))) continue;
      items.push(entry(live.items.external(m), best.scores[r]!, c >= 0 ? catalog.title(c) : undefined, []));
    }
    return { item, items, model: live.label, fallback: false };
  }
  const why = live ? `${live.label} does not know this item yet: the most popular items` : 'no model is trained yet: the most popular items';
  const pop = catalog.popularity();
  const exclude = new Uint8Array(pop.length);
  exclude[c0] = 1;
  for (const c of catalog.unlisted()) exclude[c] = 1;
  const best = topK(pop, k, exclude);
  return {
    item,
    items: Array.from(best.indices, (c, r) => entry(catalog.items.external(c), best.scores[r]!, catalog.title(c), [why])),
    model: POPULARITY_LABEL,
    fallback: true,
  };
}

function entry(id: string, score: number, title: string | undefined, reasons: string[]): RecommendedItem {
  return title === undefined ? { id, score, reasons } : { id, score, title, reasons };
}

/** A model's reason in words, naming the item it points at. */
function reasonText(r: Reason, live: LiveModel, catalog: Catalog): string {
  if (r.kind === 'item' && r.id !== undefined && r.id < live.items.size) {
    const id = live.items.external(r.id);
    const c = live.toCatalog[r.id]!;
    const title = c >= 0 ? catalog.title(c) : undefined;
    return `${r.text}: ${id}${title ? ` (${title})` : ''}`;
  }
  if (r.kind === 'user' && r.id !== undefined && r.id < live.users.size) return `${r.text}: user ${live.users.external(r.id)}`;
  return r.text;
}
