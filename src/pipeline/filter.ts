import type { AttributeTable, Column } from '../data/attributes.js';
import { UnirecError } from '../errors.js';

/**
 * Business rules as a mask of items that may never be recommended: items in excluded categories
 * (e.g. genre "Horror" on a children's page), items lacking a required attribute value (e.g. in_stock
 * = "yes"), and items excluded by id. Computed once from the item table; applied to every list before
 * any re-ranking, so the rules hold whatever the model scores.
 */
export interface FilterRules {
  /** values that exclude an item when it has them, in `columns` (default: every categorical and multi-valued column) */
  excludeCategories?: string[];
  columns?: string[];
  /** column -> allowed values: an item is kept only with one of them (numeric columns: numbers) */
  require?: Record<string, (string | number)[]>;
  /** dense item ids never to recommend */
  excludeItems?: number[];
}

/** 1 = blocked. Unknown columns and category values that no column holds are errors (a typo would block nothing). */
export function blockedItems(rules: FilterRules, table: AttributeTable | undefined, nItems: number): Uint8Array {
  const blocked = new Uint8Array(nItems);
  const needsTable = (rules.excludeCategories?.length ?? 0) > 0 || Object.keys(rules.require ?? {}).length > 0;
  if (needsTable && !table) throw new UnirecError('filter: category and attribute rules need item attributes, and this data has none');
  if (rules.excludeCategories?.length) {
    const columns = rules.columns ?? [...table!.columns].filter(([, c]) => c.kind === 'categorical' || c.kind === 'multi').map(([n]) => n);
    const found = new Set<string>();
    for (const name of columns) {
      const col = columnOf(table!, name);
      if (col.kind !== 'categorical' && col.kind !== 'multi') throw new UnirecError(`filter: column "${name}" is ${col.kind}, excludeCategories needs a categorical or multi-valued column`);
      const codes = new Set<number>();
      col.vocab.forEach((v, c) => {
        if (rules.excludeCategories!.includes(v)) {
          codes.add(c);
          found.add(v);
        }
      });
      for (let i = 0; i < nItems; i++) if (valueCodes(col, i).some((c) => codes.has(c))) blocked[i] = 1;
    }
    const missing = rules.excludeCategories.filter((v) => !found.has(v));
    if (missing.length) throw new UnirecError(`filter: excludeCategories ${JSON.stringify(missing)} not found in columns ${columns.join(', ')}`);
  }
  for (const [name, allowed] of Object.entries(rules.require ?? {})) {
    const col = columnOf(table!, name);
    const ok = new Set(allowed.map(String));
    for (let i = 0; i < nItems; i++) if (!rowValues(col, i).some((v) => ok.has(v))) blocked[i] = 1;
  }
  for (const i of rules.excludeItems ?? []) {
    if (!Number.isInteger(i) || i < 0 || i >= nItems) throw new UnirecError(`filter: excludeItems holds ${i}, not an item id in 0..${nItems - 1}`);
    blocked[i] = 1;
  }
  return blocked;
}

function columnOf(table: AttributeTable, name: string): Column {
  const col = table.get(name);
  if (!col) throw new UnirecError(`filter: no item column "${name}"; columns: ${[...table.columns.keys()].join(', ')}`);
  return col;
}

function valueCodes(col: Extract<Column, { kind: 'categorical' | 'multi' }>, row: number): number[] {
  if (col.kind === 'categorical') return col.codes[row]! >= 0 ? [col.codes[row]!] : [];
  return Array.from(col.codes.subarray(col.indptr[row]!, col.indptr[row + 1]!));
}

/** The row's values as strings (numbers as JavaScript prints them). */
function rowValues(col: Column, row: number): string[] {
  switch (col.kind) {
    case 'numeric':
      return Number.isNaN(col.values[row]!) ? [] : [String(col.values[row]!)];
    case 'text':
      return col.values[row] === undefined ? [] : [col.values[row]!];
    default:
      return valueCodes(col, row).map((c) => col.vocab[c]!);
  }
}
