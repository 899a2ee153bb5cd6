import { IdMap } from '../data/idmap.js';
import { UnirecError } from '../errors.js';
import type { Attributes, EventInput, StoredEvent, StoreSnapshot } from '../store/store.js';

/**
 * What to do with an event for an item the catalogue does not have (never put, only seen in events),
 * as Gorse's auto-insert switch: 'hide' (the default) stores the event and learns from it, but keeps the
 * item out of every list until the catalogue has it; 'refuse' rejects the batch; 'accept' lists such
 * items at once. With 'hide', a store whose catalogue is empty (events only, no item ever put) lists
 * every item: there is no catalogue to wait for.
 */
export type UnknownItemPolicy = 'hide' | 'refuse' | 'accept';
export const UNKNOWN_ITEM_POLICIES: readonly UnknownItemPolicy[] = ['hide', 'refuse', 'accept'];

export interface CatalogOptions {
  /** default 'hide' */
  unknownItems?: UnknownItemPolicy;
}

/** A user's events as the server keeps them in memory: item (catalogue index) and value, in log order. */
export interface UserHistory {
  items: number[];
  values: number[];
  /** seq of the user's latest event: newer than a model's training data means "fold in" */
  lastSeq: number;
}

/** `attr:value` clauses, all of which an item must match (a list attribute matches when it contains the value). */
export type ItemFilter = { attr: string; value: string }[];

export function parseFilter(text: string): ItemFilter {
  return text
    .split(',')
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.indexOf(':');
      return { attr: part.slice(0, at), value: part.slice(at + 1) };
    });
}

const FILTER_CACHE = 64;

/**
 * The live state of the catalogue, in memory: items (with a dense index in the order they entered the
 * store), their attributes, which are deleted, how popular each is, and every user's history. Loaded
 * from a store snapshot at start and kept current by the server as it writes to the store, so a
 * recommendation never waits on the database.
 */
export class Catalog {
  readonly items = new IdMap();
  readonly users = new Map<string, UserHistory>();
  private attributes: (Attributes | undefined)[] = [];
  private readonly deleted = new Set<number>();
  /** items seen in events but never put in the catalogue */
  private readonly uncatalogued = new Set<number>();
  /** items the catalogue has had (put at least once) */
  private catalogued = 0;
  /** deleted items and, with policy 'hide', uncatalogued ones; rebuilt when `unlistedVersion` moves */
  private unlistedCache: { version: number; set: ReadonlySet<number> } | undefined;
  private unlistedVersion = 0;
  readonly unknownItems: UnknownItemPolicy;
  private counts = new Float32Array(1024);
  private filterCache = new Map<string, { version: number; mask: Uint8Array }>();
  /** bumps whenever items or their attributes change (invalidates filter masks) */
  private version = 0;
  /**
   * Bumps when an item is put or deleted: finished recommendation lists made before may now show a
   * deleted item or an old title. An item first seen in an event does not bump it: no model has
   * scored it yet and it has no attributes for a filter to match, so no list can change.
   */
  private listRevision = 0;
  events = 0;

  /** See listRevision: results computed at another revision are stale. */
  get revision(): number {
    return this.listRevision;
  }

  constructor(options: CatalogOptions = {}) {
    this.unknownItems = options.unknownItems ?? 'hide';
  }

  static fromSnapshot(snap: StoreSnapshot, options: CatalogOptions = {}): Catalog {
    const c = new Catalog(options);
    const items = snap.items.toArray();
    for (let i = 0; i < items.length; i++) {
      c.addItem(items[i]!);
      c.attributes[i] = snap.itemAttributes[i];
      if (snap.itemAttributes[i] === undefined) c.uncatalogued.add(i);
      else c.catalogued++;
      if (snap.deletedItems[i]) c.deleted.add(i);
    }
    const x = snap.interactions;
    const users = snap.users.toArray();
    for (let r = 0; r < x.length; r++) c.record(users[x.user[r]!]!, x.item[r]!, x.value[r]!, snap.seqs[r]!);
    return c;
  }

  private addItem(id: string): number {
    const i = this.items.add(id);
    if (i >= this.counts.length) {
      const grown = new Float32Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return i;
  }

  private record(user: string, item: number, value: number, seq: number): void {
    let h = this.users.get(user);
    if (!h) this.users.set(user, (h = { items: [], values: [], lastSeq: 0 }));
    h.items.push(item);
    h.values.push(value);
    if (seq > h.lastSeq) h.lastSeq = seq;
    this.counts[item]!++;
    this.events++;
  }

  /** Events the store has just committed, in log order. */
  addEvents(events: readonly StoredEvent[]): void {
    for (const e of events) {
      const known = this.items.has(e.item);
      const i = known ? this.items.get(e.item) : this.addItem(e.item);
      if (!known) {
        this.version++;
        this.uncatalogued.add(i);
        this.unlistedVersion++;
      }
      this.record(e.user, i, e.value, e.seq);
    }
  }

  putItem(id: string, attributes: Attributes): void {
    const i = this.items.has(id) ? this.items.get(id) : this.addItem(id);
    if (this.attributes[i] === undefined) this.catalogued++;
    this.attributes[i] = attributes;
    this.uncatalogued.delete(i);
    this.deleted.delete(i);
    this.unlistedVersion++;
    this.version++;
    this.listRevision++;
  }

  deleteItem(id: string): void {
    const i = this.items.get(id);
    if (i >= 0) this.deleted.add(i);
    this.unlistedVersion++;
    this.version++;
    this.listRevision++;
  }

  /** Forgets a user's history (their events are gone from the store too). */
  deleteUser(id: string): void {
    const h = this.users.get(id);
    if (!h) return;
    for (const i of h.items) this.counts[i]!--;
    this.events -= h.items.length;
    this.users.delete(id);
  }

  /** Known and not deleted. */
  hasItem(id: string): boolean {
    const i = this.items.get(id);
    return i >= 0 && !this.deleted.has(i);
  }

  isDeleted(i: number): boolean {
    return this.deleted.has(i);
  }

  deletedItems(): ReadonlySet<number> {
    return this.deleted;
  }

  /** Items never to list: deleted ones, and with policy 'hide' those the catalogue does not have yet. */
  unlisted(): ReadonlySet<number> {
    if (this.unknownItems !== 'hide' || this.catalogued === 0 || this.uncatalogued.size === 0) return this.deleted;
    if (this.unlistedCache?.version !== this.unlistedVersion) {
      this.unlistedCache = { version: this.unlistedVersion, set: new Set([...this.deleted, ...this.uncatalogued]) };
    }
    return this.unlistedCache.set;
  }

  /** May be listed (recommended, shown as similar): see `unlisted`. */
  isListed(i: number): boolean {
    return !this.unlisted().has(i);
  }

  /** With policy 'refuse', a batch with an event for an item the catalogue does not have is an error. */
  checkEvents(events: readonly EventInput[]): void {
    if (this.unknownItems !== 'refuse') return;
    const missing = [...new Set(events.map((e) => e.item).filter((id) => this.attributes[this.items.get(id)] === undefined))];
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).map((id) => JSON.stringify(id)).join(', ');
      throw new UnirecError(
        `events for ${missing.length} item${missing.length === 1 ? '' : 's'} not in the catalogue (${shown}${missing.length > 5 ? ', ...' : ''}): ` +
          'PUT /items/:id first (this server refuses events for unknown items)',
      );
    }
  }

  /** Events per item (catalogue index), a view: do not keep it. */
  popularity(): Float32Array {
    return this.counts.subarray(0, this.items.size);
  }

  /** The item's attributes (undefined: never put, only seen in events); do not modify them. */
  attributesOf(i: number): Attributes | undefined {
    return this.attributes[i];
  }

  title(i: number): string | undefined {
    const a = this.attributes[i];
    const t = a?.title ?? a?.name;
    return typeof t === 'string' ? t : undefined;
  }

  /** 1 for the items matching every clause (catalogue index); masks are cached until the catalogue changes. */
  matching(filterText: string): Uint8Array {
    const cached = this.filterCache.get(filterText);
    if (cached && cached.version === this.version) return cached.mask;
    const clauses = parseFilter(filterText);
    const mask = new Uint8Array(this.items.size);
    for (let i = 0; i < mask.length; i++) mask[i] = matches(this.attributes[i], clauses) ? 1 : 0;
    if (this.filterCache.size >= FILTER_CACHE) this.filterCache.clear();
    this.filterCache.set(filterText, { version: this.version, mask });
    return mask;
  }
}

function matches(attributes: Attributes | undefined, clauses: ItemFilter): boolean {
  for (const { attr, value } of clauses) {
    const v = attributes?.[attr];
    if (v === undefined || v === null) return false;
    if (Array.isArray(v) ? !v.some((x) => String(x) === value) : String(v) !== value) return false;
  }
  return true;
}
