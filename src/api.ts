/**
 * The façade: a recommender in the caller's own ids. Train it from events (an array, an async iterable or
 * a file) with optional item and user attributes, ask it for a user's or a visitor's top items and for
 * similar items, save it to one file and load it back, or load what `unirec train` put in a store.
 *
 *   const rec = await Recommender.train({ model: 'itemknn', params: { k: 20 }, events, items });
 *   rec.recommend('u1', { k: 10, explain: true });      // { items: [{ id, score, reasons }], fallback: false }
 *   rec.recommend({ events: [{ item: 'c' }] });           // a visitor known only by events
 *   rec.similar('a');                                     // { items: [{ id, score }] }
 *   await rec.save('shop.unirec'); await Recommender.load('shop.unirec');
 *
 * Rules: a user's own items are never recommended to them; an unknown user (or a visitor whose items the
 * model does not know) gets the most popular items with `fallback: true`; `similar` of an unknown item
 * throws `UnknownItemError`.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { cleanDataset, type DedupePolicy } from './data/clean.js';
import { Csr } from './data/csr.js';
import { makeTrainData, type Dataset } from './data/dataset.js';
import { IdMap } from './data/idmap.js';
import { UnirecError } from './errors.js';
import { type FacadeState, decodeState, encodeState } from './facade/bundle.js';
import { UnknownItemError, UnknownModelError, UnsupportedError } from './facade/errors.js';
import { collectEvents, type EventSource } from './facade/events.js';
import { topK } from './math/topk.js';
import type { ModelParamsMap } from './models/param-types.js';
import type { Reason, Recommender as Model } from './models/recommender.js';
import { createModel, modelNames } from './pipeline/index.js';
import type { Progress } from './progress.js';
import { tableFromAttributes } from './store/attribute-table.js';
import { datasetFromSnapshot } from './store/dataset.js';
import { SqliteStore } from './store/sqlite.js';
import type { Attributes, AttributeValue, Store } from './store/store.js';

export type { EventFile, EventRecord, EventSource } from './facade/events.js';
export { UnknownItemError, UnknownModelError, UnsupportedError } from './facade/errors.js';
export type { ModelParamsMap } from './models/param-types.js';
export type { Attributes, AttributeValue } from './store/store.js';

/** The built-in models' names. */
export type ModelName = keyof ModelParamsMap;
/** A model's parameters (each optional: defaults fill the rest). */
export type ModelParams<M extends ModelName> = ModelParamsMap[M];

/** A catalogue item: its id and flat attributes (strings are categories or text, numbers, lists of tags). */
export interface ItemRecord {
  id: string;
  [attribute: string]: AttributeValue | undefined;
}

/** A user and their attributes (age, gender, country...), for the models that use them. */
export interface UserRecord {
  id: string;
  [attribute: string]: AttributeValue | undefined;
}

export interface TrainOptions<M extends ModelName> {
  /** which model (see `unirec models`): 'itemknn', 'als', 'ease', 'content', 'pipeline'... */
  model: M;
  params?: ModelParams<M>;
  events: EventSource;
  /** the catalogue: items with attributes reach content-aware models; items without events are known too */
  items?: readonly ItemRecord[];
  /** users with attributes (demographic, hybrid-mf, two-tower, cold-start) */
  users?: readonly UserRecord[];
  /** the values are explicit ratings (default: some event has kind 'rating', or the file's value column is mapped) */
  ratings?: boolean;
  /** a (user, item) pair seen more than once keeps the last, first, max value or the sum (default 'last') */
  dedupe?: DedupePolicy;
  /** default 42: the same data, params and seed give the same model */
  seed?: number;
  /** worker threads for the models that use them (default 1) */
  threads?: number;
  signal?: AbortSignal;
  progress?: Progress;
}

/** A visitor known only by what they did (and optionally who they are). */
export interface Visitor {
  /** a known user's id, when these are events newer than the model */
  user?: string;
  events: readonly { item: string; value?: number; ts?: number }[];
  /** attributes for the models that read them, e.g. { age: 31, country: 'FR' } */
  attributes?: Record<string, string | number>;
}

/** What a filter sees of an item. */
export interface ItemView {
  id: string;
  attributes: Readonly<Attributes>;
}

export interface RecommendOptions {
  /** how many items (default 10) */
  k?: number;
  /** add `reasons` to every item */
  explain?: boolean;
  /** items never to return (besides the user's own, which are always left out) */
  exclude?: Iterable<string>;
  /** only items for which this returns true */
  filter?: (item: ItemView) => boolean;
}

/** One reason an item is recommended, in the caller's ids. */
export interface Explanation {
  kind: Reason['kind'];
  /** the item (or user) the reason points at */
  id?: string;
  /** that item's title, when the catalogue has one */
  title?: string;
  /** its share of the score */
  weight: number;
  text: string;
}

export interface RecommendedItem {
  id: string;
  score: number;
  /** with `explain: true` */
  reasons?: Explanation[];
}

export interface Recommendations {
  items: RecommendedItem[];
  /** true: the model could not score this user, these are the most popular items */
  fallback: boolean;
  /** why the fallback was used */
  reason?: string;
}

export interface SimilarOptions {
  k?: number;
  exclude?: Iterable<string>;
  filter?: (item: ItemView) => boolean;
}

export interface SimilarItems {
  items: { id: string; score: number }[];
}

export interface FromStoreOptions {
  /** the model name (default: the active model) */
  model?: string;
  /** the version of that model (default: its latest) */
  version?: number;
}

const NO_ATTRIBUTES: Readonly<Attributes> = Object.freeze({});

export class Recommender {
  private constructor(private readonly s: FacadeState) {}

  /** Fits `model` on the events; items and users (with attributes) reach the models that use them. */
  static async train<M extends ModelName>(options: TrainOptions<M>): Promise<Recommender> {
    const name = options.model as string;
    if (!modelNames().includes(name)) throw new UnknownModelError(name, modelNames());
    const model = createModel(name, options.params ?? {}); // bad params fail before the events are read
    const users = new IdMap();
    const items = new IdMap();
    const itemRows = rowsOf(options.items ?? [], items, 'items');
    const userRows = rowsOf(options.users ?? [], users, 'users');
    const events = await collectEvents(options.events, users, items);
    if (events.interactions.length === 0) throw new UnirecError('no events to train on');
    const itemTable = tableFromAttributes(padded(itemRows, items.size));
    const userTable = tableFromAttributes(padded(userRows, users.size));
    const raw: Dataset = {
      name: 'events',
      source: 'generic',
      users,
      items,
      interactions: events.interactions,
      hasRatings: options.ratings ?? events.ratings,
      hasTime: events.timed,
      notes: [],
      ...(itemTable ? { itemTable } : {}),
      ...(userTable ? { userTable } : {}),
    };
    const ds = cleanDataset(raw, { dedupe: options.dedupe ?? 'last' });
    const train = makeTrainData(ds.interactions, users.size, items.size, {
      hasRatings: ds.hasRatings,
      itemTable: ds.itemTable,
      userTable: ds.userTable,
    });
    await model.fit(train, { seed: options.seed ?? 42, threads: options.threads ?? 1, signal: options.signal, progress: options.progress });
    const popularity = new Float32Array(items.size);
    for (let r = 0; r < ds.interactions.length; r++) popularity[ds.interactions.item[r]!]!++;
    return new Recommender({
      model,
      users,
      items,
      seen: train.byUser,
      popularity,
      itemAttributes: padded(itemRows, items.size),
      hidden: new Uint8Array(items.size),
      stale: new Uint8Array(users.size),
      extra: new Map(),
    });
  }

  /** A recommender saved by `save` (or a model artifact with its ids). */
  static async load(path: string): Promise<Recommender> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new UnirecError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return Recommender.fromBytes(bytes, path);
  }

  static fromBytes(bytes: Uint8Array, where = 'recommender bytes'): Recommender {
    return new Recommender(decodeState(bytes, where));
  }

  /**
   * A model trained into a store (`unirec train --db FILE`, or the server): the active one, or the
   * named model and version. Histories, popularity, attributes and deleted items come from the store as
   * it is now; users with events newer than the model (or not in it) are scored by fold-in.
   * `store` is a Store (SQLite, PostgreSQL) or the path of a SQLite store, opened and closed here.
   */
  static async fromStore(store: Store | string, options: FromStoreOptions = {}): Promise<Recommender> {
    if (typeof store === 'string') {
      const opened = new SqliteStore(store);
      try {
        return await Recommender.fromStore(opened, options);
      } finally {
        await opened.close();
      }
    }
    const record =
      options.model !== undefined ? await store.getModel(options.model, options.version) : await store.activeModel();
    if (!record) {
      const what = options.model !== undefined ? `model "${options.model}"${options.version !== undefined ? ` version ${options.version}` : ''}` : 'an active model';
      throw new UnirecError(`the store ${store.path} has no ${what}; train one with \`unirec train --model NAME\``);
    }
    const where = `${store.path}: ${record.name}@${record.version}`;
    const base = decodeState(record.artifact, where);
    const snap = await store.snapshot();
    const lastSeq = new Float64Array(snap.users.size);
    for (let r = 0; r < snap.interactions.length; r++) {
      const u = snap.interactions.user[r]!;
      if (snap.seqs[r]! > lastSeq[u]!) lastSeq[u] = snap.seqs[r]!;
    }
    const ds = cleanDataset(datasetFromSnapshot(snap), { dedupe: 'last' });
    const { users, items } = base;
    const toModel = new Int32Array(snap.items.size);
    for (let c = 0; c < toModel.length; c++) toModel[c] = items.get(snap.items.external(c));
    // Each user's events in the model's item ids (items the model does not know are left out).
    const x = ds.interactions;
    const rowsU: number[] = [];
    const rowsI: number[] = [];
    const rowsV: number[] = [];
    const extraRows = new Map<string, { items: number[]; values: number[] }>();
    const popularity = new Float32Array(items.size);
    for (let r = 0; r < x.length; r++) {
      const m = toModel[x.item[r]!]!;
      if (m < 0) continue;
      popularity[m]!++;
      const id = snap.users.external(x.user[r]!);
      const u = users.get(id);
      if (u >= 0) {
        rowsU.push(u);
        rowsI.push(m);
        rowsV.push(x.value[r]!);
      } else {
        let h = extraRows.get(id);
        if (!h) extraRows.set(id, (h = { items: [], values: [] }));
        h.items.push(m);
        h.values.push(x.value[r]!);
      }
    }
    const stale = new Uint8Array(users.size);
    for (let su = 0; su < snap.users.size; su++) {
      const u = users.get(snap.users.external(su));
      if (u >= 0 && lastSeq[su]! > record.trainedThroughSeq) stale[u] = 1;
    }
    const hidden = new Uint8Array(items.size);
    const itemAttributes: (Attributes | undefined)[] = new Array(items.size);
    for (let c = 0; c < toModel.length; c++) {
      const m = toModel[c]!;
      if (m < 0) continue;
      if (snap.deletedItems[c]) hidden[m] = 1;
      itemAttributes[m] = snap.itemAttributes[c];
    }
    const extra = new Map<string, { items: Int32Array; values: Float32Array }>();
    for (const [id, h] of extraRows) extra.set(id, { items: Int32Array.from(h.items), values: Float32Array.from(h.values) });
    return new Recommender({
      ...base,
      seen: Csr.fromCoo(users.size, items.size, Int32Array.from(rowsU), Int32Array.from(rowsI), Float32Array.from(rowsV)),
      popularity,
      itemAttributes,
      hidden,
      stale,
      extra,
    });
  }

  /** The model's registry name ('itemknn', 'als'...). */
  get model(): string {
    return this.s.model.name;
  }

  /** The model's parameters, defaults filled in. */
  get params(): Readonly<Record<string, unknown>> {
    return this.s.model.params;
  }

  /** The low-level model (dense ids; see `userIds` and `itemIds`), for evaluation or custom scoring. */
  get engine(): Model {
    return this.s.model;
  }

  /** The caller's user ids, in dense-id order. */
  get userIds(): readonly string[] {
    return this.s.users.toArray();
  }

  /** The caller's item ids, in dense-id order. */
  get itemIds(): readonly string[] {
    return this.s.items.toArray();
  }

  hasUser(id: string): boolean {
    return this.s.users.has(id) || this.s.extra.has(id);
  }

  hasItem(id: string): boolean {
    return this.s.items.has(id);
  }

  /**
   * The top items for a user (their id) or a visitor (their events), best first. The user's own items,
   * `exclude`d items and items `filter` rejects are left out. Unknown users, and visitors the model
   * cannot score, get the most popular items with `fallback: true`.
   */
  recommend(who: string | Visitor, options: RecommendOptions = {}): Recommendations {
    const s = this.s;
    const k = checkK(options.k ?? 10);
    const nItems = s.items.size;
    const exclude = this.mask(options.exclude, options.filter);
    const scores = new Float32Array(nItems);

    // Who is asking: a trained user, a user the store knows by events, or a visitor.
    let u = -1;
    let history: { items: Int32Array; values: Float32Array } | undefined;
    let attributes: Record<string, string | number> | undefined;
    if (typeof who === 'string') {
      u = s.users.get(who);
      if (u >= 0) {
        const seen = { items: s.seen.rowIndices(u), values: s.seen.rowData(u) };
        if (s.stale[u]) history = seen;
        for (const i of seen.items) exclude[i] = 1;
      } else {
        history = s.extra.get(who);
        if (!history) return this.popular(exclude, k, options, 'unknown user: the most popular items');
        for (const i of history.items) exclude[i] = 1;
      }
    } else {
      if (who === null || typeof who !== 'object' || !Array.isArray(who.events)) {
        throw new UnirecError('recommend: expected a user id or a visitor { events: [{ item }] }');
      }
      attributes = who.attributes;
      u = who.user !== undefined ? s.users.get(who.user) : -1;
      const items: number[] = [];
      const values: number[] = [];
      if (u >= 0) {
        s.seen.rowIndices(u).forEach((i) => items.push(i));
        s.seen.rowData(u).forEach((v) => values.push(v));
      }
      for (const e of who.events) {
        const i = s.items.get(e.item);
        if (i < 0) continue; // an item the model does not know says nothing to it
        items.push(i);
        values.push(e.value ?? 1);
      }
      for (const i of items) exclude[i] = 1;
      history = { items: Int32Array.from(items), values: Float32Array.from(values) };
    }

    let folded = false;
    if (history) {
      if (s.model.foldIn && (history.items.length > 0 || attributes || u >= 0)) {
        s.model.foldIn({ items: history.items, values: history.values, ...(u >= 0 ? { user: u } : {}), ...(attributes ? { attributes } : {}) }, scores);
        folded = true;
      } else if (u >= 0) {
        s.model.scoreUser(u, scores);
      } else {
        const why = s.model.foldIn ? 'none of these items is known to the model' : `${s.model.name} cannot score a user it was not trained on`;
        return this.popular(exclude, k, options, `${why}: the most popular items`);
      }
    } else {
      s.model.scoreUser(u, scores);
    }

    const best = topK(scores, k, exclude);
    if (best.scores.length === 0 || best.scores.every((x) => x === 0)) {
      return this.popular(exclude, k, options, `${s.model.name} finds no signal for this user: the most popular items`);
    }
    return {
      items: Array.from(best.indices, (i, r) => {
        const item: RecommendedItem = { id: s.items.external(i), score: best.scores[r]! };
        if (options.explain) item.reasons = this.reasons(u, i, folded ? history : undefined);
        return item;
      }),
      fallback: false,
    };
  }

  /** The items most like `item`, best first (it, `exclude`d items and items `filter` rejects left out). */
  similar(item: string, options: SimilarOptions = {}): SimilarItems {
    const s = this.s;
    const k = checkK(options.k ?? 10);
    const i0 = s.items.get(item);
    if (i0 < 0) throw new UnknownItemError(item, s.items.size);
    if (!s.model.similarItems) {
      throw new UnsupportedError(`${s.model.name} has no item similarity; train itemknn, als, ease, content or another model with similarItems`);
    }
    const exclude = this.mask(options.exclude, options.filter);
    exclude[i0] = 1;
    let excluded = 0;
    for (const x of exclude) excluded += x;
    const best = s.model.similarItems(i0, Math.min(s.items.size, k + excluded));
    const items: { id: string; score: number }[] = [];
    for (let r = 0; r < best.indices.length && items.length < k; r++) {
      const i = best.indices[r]!;
      if (!exclude[i]) items.push({ id: s.items.external(i), score: best.scores[r]! });
    }
    return { items };
  }

  /** One file with the model, the id maps, histories, popularity and item attributes. */
  async save(path: string): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, this.toBytes());
    await rename(tmp, path);
  }

  toBytes(): Uint8Array {
    return encodeState(this.s);
  }

  /** 1 for items never to return: deleted, excluded, or rejected by the filter. */
  private mask(exclude: Iterable<string> | undefined, filter: ((item: ItemView) => boolean) | undefined): Uint8Array {
    const s = this.s;
    const mask = Uint8Array.from(s.hidden);
    if (exclude !== undefined) {
      if (typeof exclude === 'string') throw new UnirecError('exclude: expected a list of item ids, got a string');
      for (const id of exclude) {
        const i = s.items.get(id);
        if (i >= 0) mask[i] = 1;
      }
    }
    if (filter) {
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i] && !filter({ id: s.items.external(i), attributes: s.itemAttributes[i] ?? NO_ATTRIBUTES })) mask[i] = 1;
      }
    }
    return mask;
  }

  private popular(exclude: Uint8Array, k: number, options: RecommendOptions, why: string): Recommendations {
    const s = this.s;
    const best = topK(s.popularity, k, exclude);
    return {
      items: Array.from(best.indices, (i, r) => {
        const item: RecommendedItem = { id: s.items.external(i), score: best.scores[r]! };
        if (options.explain) item.reasons = [{ kind: 'popularity', weight: best.scores[r]!, text: `popular: ${best.scores[r]} events` }];
        return item;
      }),
      fallback: true,
      reason: why,
    };
  }

  /** Why `item` is on the list: the model's reasons (from the events it folded in, if it did), in the caller's ids. */
  private reasons(u: number, item: number, folded: { items: Int32Array; values: Float32Array } | undefined): Explanation[] {
    const s = this.s;
    const raw = folded
      ? (s.model.explainHistory?.({ items: folded.items, values: folded.values, ...(u >= 0 ? { user: u } : {}) }, item, 3) ?? [])
      : u >= 0 && s.model.explain
        ? s.model.explain(u, item, 3)
        : [];
    if (raw.length === 0) return [{ kind: 'model', weight: 1, text: folded ? `scored by ${s.model.name} from ${folded.items.length} events` : `scored by ${s.model.name}` }];
    return raw.map((r) => {
      const out: Explanation = { kind: r.kind, weight: r.weight, text: r.text };
      if (r.id !== undefined && r.kind === 'item' && r.id < s.items.size) {
        out.id = s.items.external(r.id);
        const title = s.itemAttributes[r.id]?.title;
        if (typeof title === 'string') out.title = title;
      } else if (r.id !== undefined && r.kind === 'user' && r.id < s.users.size) {
        out.id = s.users.external(r.id);
      }
      return out;
    });
  }
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k <= 0) throw new UnirecError(`k must be a positive integer, got ${k}`);
  return k;
}

/** Attribute rows (without their id) in dense-id order; ids not seen before are added to the map. */
function rowsOf(records: readonly { id: string }[], ids: IdMap, what: string): (Attributes | undefined)[] {
  const rows: (Attributes | undefined)[] = [];
  records.forEach((rec, at) => {
    if (rec === null || typeof rec !== 'object' || typeof rec.id !== 'string' || rec.id === '') {
      throw new UnirecError(`${what}[${at}]: expected an object with a non-empty string "id"`);
    }
    const { id, ...attributes } = rec as { id: string } & Record<string, AttributeValue | undefined>;
    const clean: Attributes = {};
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) clean[key] = value;
    rows[ids.add(id)] = clean;
  });
  return rows;
}

function padded<T>(rows: (T | undefined)[], size: number): (T | undefined)[] {
  const out = rows.slice();
  out.length = size;
  return out;
}
