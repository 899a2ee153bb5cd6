/**
 * Attribute tables for items and users, columnar and indexed by dense id, kept for the feature work
 * (content models, demographics, cold start). Missing values: NaN (numeric), -1 (categorical),
 * an empty list (multi), undefined (text). A multi-valued column may carry a weight per entry (how
 * often a tag was given to the item, from a long-format attribute table); without `weights` every
 * entry weighs 1.
 */
export type Column =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'categorical'; vocab: string[]; codes: Int32Array }
  | { kind: 'multi'; vocab: string[]; indptr: Int32Array; codes: Int32Array; weights?: Float32Array }
  | { kind: 'text'; values: (string | undefined)[] };

export type ColumnKind = Column['kind'];

export class AttributeTable {
  readonly columns = new Map<string, Column>();

  constructor(public size: number) {}

  get(name: string): Column | undefined {
    return this.columns.get(name);
  }

  /** The display title of a row: the `title` (or `name`) text column, else undefined. */
  title(row: number): string | undefined {
    const col = this.columns.get('title') ?? this.columns.get('name');
    return col?.kind === 'text' ? col.values[row] : undefined;
  }

  /** Readable values of one row, for printing and explanations. */
  describe(row: number): Record<string, string | number | string[]> {
    const out: Record<string, string | number | string[]> = {};
    for (const [name, col] of this.columns) {
      const v = cellValue(col, row);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** A table of `newSize` rows taking row remap[old] = new (old rows mapping to -1 are dropped). */
  remap(remap: Int32Array, newSize: number): AttributeTable {
    const order = new Int32Array(newSize).fill(-1);
    for (let old = 0; old < remap.length && old < this.size; old++) if (remap[old]! >= 0) order[remap[old]!] = old;
    const out = new AttributeTable(newSize);
    for (const [name, col] of this.columns) out.columns.set(name, takeRows(col, order));
    return out;
  }
}

function cellValue(col: Column, row: number): string | number | string[] | undefined {
  switch (col.kind) {
    case 'numeric': {
      const v = col.values[row]!;
      return Number.isNaN(v) ? undefined : v;
    }
    case 'categorical': {
      const c = col.codes[row]!;
      return c < 0 ? undefined : col.vocab[c];
    }
    case 'multi': {
      const list: string[] = [];
      for (let k = col.indptr[row]!; k < col.indptr[row + 1]!; k++) list.push(col.vocab[col.codes[k]!]!);
      return list.length ? list : undefined;
    }
    case 'text':
      return col.values[row];
  }
}

/** Rows of `col` in the order given (old row per new row; -1 = missing). */
function takeRows(col: Column, order: Int32Array): Column {
  const n = order.length;
  switch (col.kind) {
    case 'numeric': {
      const values = new Float64Array(n).fill(NaN);
      for (let r = 0; r < n; r++) if (order[r]! >= 0) values[r] = col.values[order[r]!]!;
      return { kind: 'numeric', values };
    }
    case 'categorical': {
      const codes = new Int32Array(n).fill(-1);
      for (let r = 0; r < n; r++) if (order[r]! >= 0) codes[r] = col.codes[order[r]!]!;
      return { kind: 'categorical', vocab: col.vocab, codes };
    }
    case 'multi': {
      const lists: number[][] = [];
      const weights: number[][] | undefined = col.weights && [];
      for (let r = 0; r < n; r++) {
        const o = order[r]!;
        const from = o < 0 ? 0 : col.indptr[o]!;
        const to = o < 0 ? 0 : col.indptr[o + 1]!;
        lists.push(Array.from(col.codes.subarray(from, to)));
        weights?.push(Array.from(col.weights!.subarray(from, to)));
      }
      return multiFromLists(col.vocab, lists, weights);
    }
    case 'text':
      return { kind: 'text', values: Array.from(order, (o) => (o < 0 ? undefined : col.values[o])) };
  }
}

/** A multi-valued column from per-row code lists (and, for a weighted column, per-row weight lists). */
export function multiFromLists(vocab: string[], lists: number[][], weightLists?: number[][]): Column {
  const indptr = new Int32Array(lists.length + 1);
  for (let r = 0; r < lists.length; r++) indptr[r + 1] = indptr[r]! + lists[r]!.length;
  const codes = new Int32Array(indptr[lists.length]!);
  for (let r = 0; r < lists.length; r++) codes.set(lists[r]!, indptr[r]!);
  if (!weightLists) return { kind: 'multi', vocab, indptr, codes };
  const weights = new Float32Array(codes.length).fill(1);
  for (let r = 0; r < lists.length; r++) if (weightLists[r]) weights.set(weightLists[r]!, indptr[r]!);
  return { kind: 'multi', vocab, indptr, codes, weights };
}

/**
 * Builds an AttributeTable row by row from string values; used by every reader.
 * Rows are addressed by dense id; columns declare their kind up front.
 */
export class AttributeTableBuilder {
  private readonly numeric = new Map<string, number[]>();
  private readonly categorical = new Map<string, { vocab: Map<string, number>; codes: number[] }>();
  private readonly multi = new Map<string, { vocab: Map<string, number>; lists: number[][]; weights?: number[][] }>();
  private readonly text = new Map<string, (string | undefined)[]>();

  constructor(columns: Record<string, ColumnKind>) {
    for (const [name, kind] of Object.entries(columns)) this.addColumn(name, kind);
  }

  setNumeric(name: string, row: number, value: number): void {
    this.numeric.get(name)![row] = value;
  }

  setCategorical(name: string, row: number, value: string | undefined): void {
    const col = this.categorical.get(name)!;
    col.codes[row] = value === undefined || value === '' ? -1 : code(col.vocab, value);
  }

  setMulti(name: string, row: number, values: Iterable<string>): void {
    const col = this.multi.get(name)!;
    const list = col.lists[row] ?? (col.lists[row] = []);
    for (const v of values) {
      if (v === '') continue;
      const c = code(col.vocab, v);
      if (!list.includes(c)) {
        list.push(c);
        col.weights?.[row]?.push(1);
      }
    }
  }

  /**
   * Adds weighted labels to a multi-valued column (from a long-format table: one call per row of the
   * table's aggregate, labels distinct); a label the row already has gets the weight added.
   */
  addMultiWeighted(name: string, row: number, labels: readonly string[], weights: ArrayLike<number>): void {
    const col = this.multi.get(name)!;
    col.weights ??= [];
    const list = col.lists[row] ?? (col.lists[row] = []);
    const wl = col.weights[row] ?? (col.weights[row] = new Array<number>(list.length).fill(1));
    for (let k = 0; k < labels.length; k++) {
      if (labels[k] === '') continue;
      const c = code(col.vocab, labels[k]!);
      const at = list.indexOf(c);
      if (at >= 0) wl[at]! += weights[k]!;
      else {
        list.push(c);
        wl.push(weights[k]!);
      }
    }
  }

  /** Whether the table has a column of this name and kind. */
  hasColumn(name: string, kind: ColumnKind): boolean {
    return (kind === 'numeric' ? this.numeric : kind === 'categorical' ? this.categorical : kind === 'multi' ? this.multi : this.text).has(name);
  }

  /** Declares one more column (a long-format table adds its columns after the wide file's). */
  addColumn(name: string, kind: ColumnKind): void {
    if (kind === 'numeric') this.numeric.set(name, []);
    else if (kind === 'categorical') this.categorical.set(name, { vocab: new Map(), codes: [] });
    else if (kind === 'multi') this.multi.set(name, { vocab: new Map(), lists: [] });
    else this.text.set(name, []);
  }

  setText(name: string, row: number, value: string | undefined): void {
    this.text.get(name)![row] = value === '' ? undefined : value;
  }

  build(size: number): AttributeTable {
    const table = new AttributeTable(size);
    for (const [name, vals] of this.numeric) {
      const values = new Float64Array(size).fill(NaN);
      for (let r = 0; r < size; r++) if (vals[r] !== undefined) values[r] = vals[r]!;
      table.columns.set(name, { kind: 'numeric', values });
    }
    for (const [name, col] of this.categorical) {
      const codes = new Int32Array(size).fill(-1);
      for (let r = 0; r < size; r++) if (col.codes[r] !== undefined) codes[r] = col.codes[r]!;
      table.columns.set(name, { kind: 'categorical', vocab: [...col.vocab.keys()], codes });
    }
    for (const [name, col] of this.multi) {
      const lists = Array.from({ length: size }, (_, r) => col.lists[r] ?? []);
      // labels given by weight alone (setMulti) on a weighted column weigh 1
      const weights = col.weights && lists.map((l, r) => col.weights![r] ?? new Array<number>(l.length).fill(1));
      table.columns.set(name, multiFromLists([...col.vocab.keys()], lists, weights));
    }
    for (const [name, vals] of this.text) {
      table.columns.set(name, { kind: 'text', values: Array.from({ length: size }, (_, r) => vals[r]) });
    }
    return table;
  }
}

function code(vocab: Map<string, number>, value: string): number {
  let c = vocab.get(value);
  if (c === undefined) {
    c = vocab.size;
    vocab.set(value, c);
  }
  return c;
}
