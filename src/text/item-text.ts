import type { AttributeTable } from '../data/attributes.js';

/**
 * The text of an item for a sentence encoder: its title (MovieLens' "Matrix, The (1999)" read as
 * "The Matrix"; the year is a numeric feature of its own), then its readable labels (genres, tags,
 * categories, brand) and free text (descriptions), as "Toy Story. Animation, Comedy. pixar, toys".
 * Label columns whose values are bare numbers (Amazon attribute ids) carry no words and are skipped.
 */
export interface ItemTextOptions {
  /** only these columns (default: every text, multi-valued and categorical column) */
  columns?: string[];
  /** at most this many values of a multi-valued column (tags can run to hundreds; default 12) */
  maxValues?: number;
}

export function itemTexts(table: AttributeTable, options: ItemTextOptions = {}): (string | undefined)[] {
  const maxValues = options.maxValues ?? 12;
  const parts: ((row: number) => string | undefined)[] = [];
  const titleColumn = table.get('title') ? 'title' : table.get('name') ? 'name' : undefined;
  const wanted = (name: string) => !options.columns || options.columns.includes(name);
  if (titleColumn && wanted(titleColumn)) {
    const col = table.get(titleColumn)!;
    if (col.kind === 'text') parts.push((r) => readableTitle(col.values[r]));
  }
  for (const [name, col] of table.columns) {
    if (name === titleColumn || !wanted(name)) continue;
    if (col.kind === 'text') parts.push((r) => col.values[r]?.trim() || undefined);
    else if (col.kind === 'multi' && hasWords(col.vocab)) {
      parts.push((r) => {
        const labels: string[] = [];
        for (let k = col.indptr[r]!; k < col.indptr[r + 1]! && labels.length < maxValues; k++) {
          const v = col.vocab[col.codes[k]!]!;
          if (!/^\(no .* listed\)$/i.test(v)) labels.push(v);
        }
        return labels.length ? labels.join(', ') : undefined;
      });
    } else if (col.kind === 'categorical' && hasWords(col.vocab)) {
      parts.push((r) => (col.codes[r]! >= 0 ? col.vocab[col.codes[r]!] : undefined));
    }
  }
  return Array.from({ length: table.size }, (_, r) => {
    const text = parts
      .map((p) => p(r))
      .filter((s): s is string => !!s)
      .join('. ');
    return text || undefined;
  });
}

/** "American President, The (1995)" -> "The American President"; other titles lose a trailing (year). */
export function readableTitle(title: string | undefined): string | undefined {
  if (!title) return undefined;
  let t = title.trim().replace(/\s*\(\d{4}(?:\s*[-–]\s*\d{0,4})?\)\s*$/, '');
  const m = /^(.*), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El|Los|Las)(\s*\(.*\))?$/.exec(t);
  if (m) t = `${m[2]}${m[2]!.endsWith("'") ? '' : ' '}${m[1]}${m[3] ?? ''}`;
  return t || undefined;
}

/** True when at least half the labels hold a letter (not bare ids). */
function hasWords(vocab: readonly string[]): boolean {
  if (vocab.length === 0) return false;
  let words = 0;
  for (const v of vocab) if (/\p{L}/u.test(v)) words++;
  return words * 2 >= vocab.length;
}
