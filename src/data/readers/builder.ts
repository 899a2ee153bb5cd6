import { resolve } from 'node:path';
import { RowError, UnirecError } from '../../errors.js';
import type { AttributeTable, AttributeTableBuilder } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import { Interactions } from '../interactions.js';
import { type UserRelation, remapRelation } from '../relation.js';
import { type RowAt, type RowIssues } from '../validate.js';
import type { ValueKind } from '../value-kind.js';
import type { LoadOptions } from './options.js';

/**
 * The pieces every reader shares: a growable columnar buffer for interactions (no per-row objects),
 * a catalogue of described ids (item or user file rows), and `finishDataset`, which checks the result,
 * builds the attribute tables, writes the quarantine and assembles the Dataset with its notes.
 */

/** Interactions appended row by row into typed arrays that double when full. */
export class InteractionsBuilder {
  private user = new Int32Array(1024);
  private item = new Int32Array(1024);
  private value = new Float32Array(1024);
  private ts = new Float64Array(1024);
  length = 0;

  constructor(
    readonly users: IdMap = new IdMap(),
    readonly items: IdMap = new IdMap(),
  ) {}

  /** Appends one row by external ids; returns its row index. */
  push(user: string, item: string, value: number, ts: number): number {
    return this.pushDense(this.users.add(user), this.items.add(item), value, ts);
  }

  pushDense(user: number, item: number, value: number, ts: number): number {
    if (this.length === this.user.length) this.grow();
    const r = this.length++;
    this.user[r] = user;
    this.item[r] = item;
    this.value[r] = value;
    this.ts[r] = ts;
    return r;
  }

  private grow(): void {
    const cap = this.user.length * 2;
    const user = new Int32Array(cap);
    const item = new Int32Array(cap);
    const value = new Float32Array(cap);
    const ts = new Float64Array(cap);
    user.set(this.user);
    item.set(this.item);
    value.set(this.value);
    ts.set(this.ts);
    [this.user, this.item, this.value, this.ts] = [user, item, value, ts];
  }

  /** The rows so far, in exact-length arrays. */
  build(): Interactions {
    const n = this.length;
    return new Interactions(this.user.slice(0, n), this.item.slice(0, n), this.value.slice(0, n), this.ts.slice(0, n));
  }
}

/**
 * Ids described by an item or user file. Ids seen only there are catalogue entries (kept in the IdMap
 * with no interactions); a second row for the same id is a bad row.
 */
export class Catalogue {
  private readonly lineOf = new Map<number, number>();

  constructor(
    readonly ids: IdMap,
    readonly file: string,
  ) {}

  /** Dense id for the row at `at`; throws a RowError when the id already had a row. */
  describe(at: RowAt, field: string, id: string): number {
    const dense = this.ids.add(id);
    const first = this.lineOf.get(dense);
    if (first !== undefined) throw new RowError(at.file, at.line, field, id, `repeats the id of line ${first}`);
    this.lineOf.set(dense, at.line);
    return dense;
  }

  has(dense: number): boolean {
    return this.lineOf.has(dense);
  }

  /** How many distinct ids in `used` have no row here. */
  countMissing(used: Int32Array): number {
    const seen = new Uint8Array(this.ids.size);
    let missing = 0;
    for (let r = 0; r < used.length; r++) {
      const id = used[r]!;
      if (seen[id]) continue;
      seen[id] = 1;
      if (!this.lineOf.has(id)) missing++;
    }
    return missing;
  }
}

/** An attribute file being read: its builder and catalogue (none when only long-format tables fill it). */
export interface AttributePart {
  builder: AttributeTableBuilder;
  catalogue?: Catalogue;
}

export interface DatasetParts {
  name: string;
  source: string;
  /** The interactions file, for messages. */
  file: string;
  users: IdMap;
  items: IdMap;
  interactions: Interactions;
  itemAttrs?: AttributePart;
  userAttrs?: AttributePart;
  hasRatings: boolean;
  hasTime: boolean;
  /** What `value` holds, when the source says (generic configs) */
  valueKind?: ValueKind;
  relation?: UserRelation;
  notes: string[];
  issues: RowIssues;
  folds?: Int32Array[];
}

/** The default quarantine file of a dataset: `<cwd>/quarantine-<name>.csv`. */
export function defaultQuarantinePath(name: string): string {
  return resolve(process.cwd(), `quarantine-${name.replace(/[^\w.-]+/g, '_')}.csv`);
}

/** Checks and assembles a reader's output. */
export function finishDataset(parts: DatasetParts, options: LoadOptions): Dataset {
  const notes = [...parts.notes];
  const { issues } = parts;
  let quarantined = '';
  if (issues.count > 0) {
    const path = options.quarantinePath ?? defaultQuarantinePath(parts.name);
    issues.writeQuarantine(path);
    quarantined = path;
    notes.push(`skipped ${issues.count} bad row${issues.count === 1 ? '' : 's'}; they are listed in ${path}`);
  }
  if (parts.interactions.length === 0) {
    const why = issues.count > 0 ? ` (every row was bad; see ${quarantined})` : '';
    throw new UnirecError(`no interactions in ${parts.file}${why}`);
  }
  let itemTable = attributeTable(parts.itemAttrs, parts.items, parts.interactions.item, 'item', parts.file, notes);
  let userTable = attributeTable(parts.userAttrs, parts.users, parts.interactions.user, 'user', parts.file, notes);
  let { users, items, interactions, relation } = parts;
  const drop = options.catalogueOnly === 'drop';
  const keptItems = catalogueOnly(items, interactions.item, parts.itemAttrs?.catalogue, 'item', drop, notes);
  const keptUsers = catalogueOnly(users, interactions.user, parts.userAttrs?.catalogue, 'user', drop, notes);
  if (keptItems || keptUsers) {
    // every row's user and item is kept, so no row (and no fold index) is lost
    const ku = keptUsers ?? { map: users, remap: identity(users.size) };
    const ki = keptItems ?? { map: items, remap: identity(items.size) };
    interactions = interactions.remap(ku.remap, ki.remap);
    if (itemTable && keptItems) itemTable = itemTable.remap(ki.remap, ki.map.size);
    if (userTable && keptUsers) userTable = userTable.remap(ku.remap, ku.map.size);
    if (relation && keptUsers) relation = remapRelation(relation, ku.remap, ku.map.size);
    users = ku.map;
    items = ki.map;
  }
  return {
    name: parts.name,
    source: parts.source,
    users,
    items,
    interactions,
    ...(itemTable && { itemTable }),
    ...(userTable && { userTable }),
    hasRatings: parts.hasRatings,
    hasTime: parts.hasTime,
    ...(parts.valueKind && { valueKind: parts.valueKind }),
    ...(relation && { relation }),
    notes,
    ...(parts.folds && { folds: parts.folds }),
  };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = k;
  return out;
}

/**
 * Ids described by an items/users file but in no interaction (a cold item, or a mis-mapped file's
 * phantom): a note with their count and examples; with `drop`, the ids kept (the others renumbered
 * away), else undefined (kept as cold items/users).
 */
function catalogueOnly(
  ids: IdMap,
  used: Int32Array,
  catalogue: Catalogue | undefined,
  kind: string,
  drop: boolean,
  notes: string[],
): { map: IdMap; remap: Int32Array } | undefined {
  if (!catalogue) return undefined;
  const has = new Uint8Array(ids.size);
  for (let r = 0; r < used.length; r++) has[used[r]!] = 1;
  let count = 0;
  const examples: string[] = [];
  for (let i = 0; i < ids.size; i++) {
    if (has[i]) continue;
    count++;
    if (examples.length < 5) examples.push(ids.external(i));
  }
  if (count === 0) return undefined;
  const what = `${count} ${kind}${count === 1 ? ' appears' : 's appear'} only in ${catalogue.file}, in no interaction (e.g. ${examples.join(', ')})`;
  if (!drop) {
    notes.push(`${what}: kept as cold ${kind}s (ranked by attributes only; "catalogueOnly": "drop" or --catalogue-only drop removes them)`);
    return undefined;
  }
  notes.push(`${what}: dropped (catalogueOnly drop)`);
  return ids.filter(has);
}

/** Builds a table sized to the whole IdMap and notes the ids used in interactions that had no row. */
function attributeTable(
  part: AttributePart | undefined,
  ids: IdMap,
  used: Int32Array,
  kind: string,
  file: string,
  notes: string[],
): AttributeTable | undefined {
  if (!part) return undefined;
  const missing = part.catalogue?.countMissing(used) ?? 0;
  if (missing > 0 && part.catalogue) {
    notes.push(`${missing} ${kind}${missing === 1 ? '' : 's'} in ${file} have no row in ${part.catalogue.file}: kept, without attributes`);
  }
  return part.builder.build(ids.size);
}
