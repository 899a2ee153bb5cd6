import { AttributeTableBuilder, type AttributeTable, type ColumnKind } from '../data/attributes.js';
import type { Attributes, AttributeValue } from './store.js';

/** Columns read as free text whatever their length; other strings are categories unless they are long. */
const TEXT_NAMES = new Set(['title', 'name', 'description', 'text', 'summary', 'overview', 'body']);
const LONG_TEXT = 40;

/**
 * An AttributeTable from JSON attribute rows (the store keeps attributes as JSON): each column's kind is
 * inferred from its values, so content models see the same columns a file reader would give them.
 * Numbers -> numeric, lists -> multi, title-like or long strings -> text, other values -> categorical.
 */
export function tableFromAttributes(rows: readonly (Attributes | undefined)[]): AttributeTable | undefined {
  const kinds = new Map<string, ColumnKind>();
  const textLength = new Map<string, { sum: number; n: number }>();
  for (const row of rows) {
    if (!row) continue;
    for (const [name, value] of Object.entries(row)) {
      if (value === null) continue;
      const kind = kindOf(value);
      const seen = kinds.get(name);
      kinds.set(name, seen === undefined || seen === kind ? kind : merge(seen, kind));
      if (typeof value === 'string') {
        const t = textLength.get(name) ?? { sum: 0, n: 0 };
        t.sum += value.length;
        t.n++;
        textLength.set(name, t);
      }
    }
  }
  if (kinds.size === 0) return undefined;
  for (const [name, kind] of kinds) {
    const t = textLength.get(name);
    if (kind === 'categorical' && (TEXT_NAMES.has(name.toLowerCase()) || (t && t.sum / t.n > LONG_TEXT))) kinds.set(name, 'text');
  }
  const builder = new AttributeTableBuilder(Object.fromEntries(kinds));
  rows.forEach((row, r) => {
    if (!row) return;
    for (const [name, value] of Object.entries(row)) {
      if (value === null) continue;
      switch (kinds.get(name)) {
        case 'numeric':
          builder.setNumeric(name, r, value as number);
          break;
        case 'multi':
          builder.setMulti(name, r, (Array.isArray(value) ? value : [value]).map(String));
          break;
        case 'text':
          builder.setText(name, r, String(value));
          break;
        default:
          builder.setCategorical(name, r, String(value));
      }
    }
  });
  return builder.build(rows.length);
}

function kindOf(value: AttributeValue): ColumnKind {
  if (Array.isArray(value)) return 'multi';
  if (typeof value === 'number') return 'numeric';
  return 'categorical';
}

/** Two rows disagree on a column's kind: lists win (a scalar is a list of one), else categories. */
function merge(a: ColumnKind, b: ColumnKind): ColumnKind {
  return a === 'multi' || b === 'multi' ? 'multi' : 'categorical';
}
