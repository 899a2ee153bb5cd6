import { resolve } from 'node:path';
import { RowError, UnirecError } from '../../errors.js';
import type { AttributeTable, AttributeTableBuilder } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import { Interactions } from '../interactions.js';
import { type RowAt, type RowIssues } from '../validate.js';
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

/** An attribute file being read: its builder and catalogue. */
export interface AttributePart {
  builder: AttributeTableBuilder;
  catalogue: Catalogue;
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
  const itemTable = attributeTable(parts.itemAttrs, parts.items, parts.interactions.item, 'item', parts.file, notes);
  const userTable = attributeTable(parts.userAttrs, parts.users, parts.interactions.user, 'user', parts.file, notes);
  return {
    name: parts.name,
    source: parts.source,
    users: parts.users,
    items: parts.items,
    interactions: parts.interactions,
    ...(itemTable && { itemTable }),
    ...(userTable && { userTable }),
    hasRatings: parts.hasRatings,
    hasTime: parts.hasTime,
    notes,
    ...(parts.folds && { folds: parts.folds }),
  };
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
  const missing = part.catalogue.countMissing(used);
  if (missing > 0) {
    notes.push(`${missing} ${kind}${missing === 1 ? '' : 's'} in ${file} have no row in ${part.catalogue.file}: kept, without attributes`);
  }
  return part.builder.build(ids.size);
}
