import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { RowError, UnirecError } from '../../errors.js';
import { AttributeTableBuilder, type ColumnKind } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import {
  type RowAt,
  RowIssues,
  checkFieldCount,
  parseId,
  parseNumber,
  parseOptionalNumber,
  parseTimestamp,
  rowError,
} from '../validate.js';
import { type AttributePart, Catalogue, InteractionsBuilder, finishDataset } from './builder.js';
import { forEachLine, forEachRecord } from './delimited.js';
import type { LoadOptions } from './options.js';
import { readText } from './text.js';

/**
 * The generic reader: interactions from a CSV, TSV or JSONL file, plus optional item and user files,
 * with a column mapping given as a JSON config (paths relative to it) or as an object (CLI flags).
 *
 * ```json
 * {"interactions": {"path": "events.csv", "user": "customer_id", "item": "sku", "value": "rating", "ts": "time"},
 *  "items": {"path": "items.csv", "id": "sku", "title": "name", "categorical": ["brand"], "multi": {"tags": "|"},
 *            "numeric": ["price"], "text": ["description"]},
 *  "users": {"path": "users.csv", "id": "id", "categorical": ["gender"], "numeric": ["age"]}}
 * ```
 * Without `value` every interaction counts 1; without `ts` there is no time order. Timestamps may be
 * Unix seconds, Unix milliseconds (> 1e12) or ISO 8601 dates (UTC when no zone is given).
 */

const fileFields = {
  /** Path to the file, relative to the config file (or to the base folder given with a mapping object). */
  path: z.string().min(1),
  /** csv | tsv | jsonl; by default from the extension (.csv, .tsv/.tab, .jsonl/.ndjson). */
  format: z.enum(['csv', 'tsv', 'jsonl']).optional(),
  /** Field separator for csv/tsv when it is not ',' or a tab (e.g. ';'). */
  delimiter: z.string().min(1).optional(),
  encoding: z.enum(['utf8', 'latin1']).optional(),
};

const column = z.string().min(1);

export const interactionsMappingSchema = z.strictObject({
  ...fileFields,
  user: column,
  item: column,
  /** Rating or weight; absent -> 1 for every row. */
  value: column.optional(),
  /** Unix seconds, Unix milliseconds or ISO 8601; absent -> no time order. */
  ts: column.optional(),
  /** Allowed [min, max] of value; a row outside it is a bad row. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** Whether value holds explicit ratings (default: true when value is mapped). */
  explicit: z.boolean().optional(),
});

export const attributesMappingSchema = z.strictObject({
  ...fileFields,
  id: column,
  /** Display title, kept as the text column `title`. */
  title: column.optional(),
  categorical: z.array(column).default([]),
  /** Multi-valued columns: column -> separator inside the cell (JSONL cells may also be arrays). */
  multi: z.record(column, z.string().min(1)).default({}),
  numeric: z.array(column).default([]),
  text: z.array(column).default([]),
});

export const genericMappingSchema = z.strictObject({
  name: z.string().min(1).optional(),
  interactions: interactionsMappingSchema,
  items: attributesMappingSchema.optional(),
  users: attributesMappingSchema.optional(),
});

/** The mapping as written (defaults may be left out). */
export type GenericMapping = z.input<typeof genericMappingSchema>;
type Mapping = z.output<typeof genericMappingSchema>;
type FileMapping = Mapping['interactions'] | NonNullable<Mapping['items']>;
type AttributesMapping = NonNullable<Mapping['items']>;

/** Validates a mapping; `where` names its origin in the error ("config.json", "command-line mapping"). */
export function parseGenericMapping(json: unknown, where: string): Mapping {
  const result = genericMappingSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UnirecError(`invalid column mapping in ${where}:\n${lines.join('\n')}`);
  }
  const mapping = result.data;
  for (const [part, m] of [['items', mapping.items], ['users', mapping.users]] as const) {
    if (!m) continue;
    const names = attributeColumns(m).map(([n]) => n);
    const twice = names.find((n, k) => names.indexOf(n) !== k);
    if (twice !== undefined) throw new UnirecError(`invalid column mapping in ${where}: ${part} column "${twice}" is mapped twice`);
  }
  return mapping;
}

/** Reads a dataset from a JSON config file (see the module comment). */
export async function readGeneric(configPath: string, options: LoadOptions = {}): Promise<Dataset> {
  const text = await readText(configPath, 'utf8', 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UnirecError(`${configPath}: not valid JSON (${(e as Error).message})`);
  }
  const mapping = parseGenericMapping(json, configPath);
  const stem = basename(configPath, extname(configPath));
  const name = options.name ?? mapping.name ?? (stem === 'unirec' ? basename(dirname(resolve(configPath))) : stem);
  return readGenericMapping(mapping, dirname(configPath), { ...options, name });
}

/** Reads a dataset from a mapping object; relative paths are resolved against `baseDir`. */
export async function readGenericMapping(mapping: GenericMapping, baseDir: string, options: LoadOptions = {}): Promise<Dataset> {
  const m = parseGenericMapping(mapping, 'the column mapping');
  const name = options.name ?? m.name ?? basename(m.interactions.path, extname(m.interactions.path));
  const issues = new RowIssues(options.onError);
  const notes: string[] = [];
  const users = new IdMap();
  const items = new IdMap();

  const itemAttrs = m.items && (await readAttributes(m.items, baseDir, items, 'items file', issues));
  const userAttrs = m.users && (await readAttributes(m.users, baseDir, users, 'users file', issues));

  const im = m.interactions;
  const file = resolve(baseDir, im.path);
  const b = new InteractionsBuilder(users, items);
  const columns = [im.user, im.item, im.value, im.ts];
  await forEachRow(im, file, 'interactions file', columns, issues, (get, at) => {
    const user = parseId(at, im.user, cellText(at, im.user, get(0)));
    const item = parseId(at, im.item, cellText(at, im.item, get(1)));
    const value = im.value === undefined ? 1 : cellNumber(at, im.value, get(2), im.range);
    const ts = im.ts === undefined ? NaN : cellTimestamp(at, im.ts, get(3));
    b.push(user, item, value, ts);
  });
  if (im.value === undefined) notes.push('no value column: every interaction counts 1');
  if (im.ts === undefined) notes.push('no time column: the loo and temporal protocols are unavailable');

  return finishDataset(
    {
      name,
      source: 'generic',
      file,
      users,
      items,
      interactions: b.build(),
      itemAttrs,
      userAttrs,
      hasRatings: im.explicit ?? im.value !== undefined,
      hasTime: im.ts !== undefined,
      notes,
      issues,
    },
    options,
  );
}

/** Attribute columns of a mapping as (name, kind, separator for multi). */
function attributeColumns(m: AttributesMapping): [string, ColumnKind, string?][] {
  return [
    ...(m.title === undefined ? [] : [['title', 'text'] as [string, ColumnKind]]),
    ...m.categorical.map((c): [string, ColumnKind] => [c, 'categorical']),
    ...Object.entries(m.multi).map(([c, sep]): [string, ColumnKind, string] => [c, 'multi', sep]),
    ...m.numeric.map((c): [string, ColumnKind] => [c, 'numeric']),
    ...m.text.map((c): [string, ColumnKind] => [c, 'text']),
  ];
}

async function readAttributes(
  m: AttributesMapping,
  baseDir: string,
  ids: IdMap,
  what: string,
  issues: RowIssues,
): Promise<AttributePart> {
  const file = resolve(baseDir, m.path);
  const cols = attributeColumns(m);
  const builder = new AttributeTableBuilder(Object.fromEntries(cols.map(([n, kind]) => [n, kind])));
  const catalogue = new Catalogue(ids, file);
  // The title is stored as `title` but read from the column the mapping names.
  const sources = cols.map(([n]) => (n === 'title' && m.title !== undefined ? m.title : n));
  await forEachRow(m, file, what, [m.id, ...sources], issues, (get, at) => {
    // Parse every cell first, so a bad row leaves no trace in the table or the catalogue.
    const values = cols.map(([, kind, sep], k) => {
      const cell = get(k + 1);
      const field = sources[k]!;
      if (kind === 'numeric') return typeof cell === 'number' ? finite(at, field, cell) : parseOptionalNumber(at, field, cellText(at, field, cell));
      if (kind === 'multi') return Array.isArray(cell) ? cell.map((v) => cellText(at, field, v) ?? '') : (cellText(at, field, cell)?.split(sep!) ?? []);
      return cellText(at, field, cell)?.trim();
    });
    const row = catalogue.describe(at, m.id, parseId(at, m.id, cellText(at, m.id, get(0))));
    cols.forEach(([name, kind], k) => {
      const v = values[k];
      if (kind === 'numeric') builder.setNumeric(name, row, v as number);
      else if (kind === 'multi') builder.setMulti(name, row, (v as string[]).map((s) => s.trim()));
      else if (kind === 'categorical') builder.setCategorical(name, row, v as string | undefined);
      else builder.setText(name, row, v as string | undefined);
    });
  });
  return { builder, catalogue };
}

type Format = 'csv' | 'tsv' | 'jsonl';

function formatOf(m: FileMapping, file: string): Format {
  if (m.format) return m.format;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new UnirecError(`cannot tell the format of ${file} from its extension: set "format" to csv, tsv or jsonl`);
}

/**
 * Calls fn for each data row of a CSV/TSV (with a header) or JSONL file, with a getter for the wanted
 * columns (undefined entries are not wanted). A RowError thrown by fn makes the row bad.
 */
async function forEachRow(
  m: FileMapping,
  file: string,
  what: string,
  columns: (string | undefined)[],
  issues: RowIssues,
  fn: (get: (k: number) => unknown, at: RowAt) => void,
): Promise<void> {
  const format = formatOf(m, file);
  const text = await readText(file, m.encoding ?? 'utf8', what);
  if (format === 'jsonl') {
    forEachLine(text, (line, lineNo) =>
      issues.row(line, () => {
        const at = { file, line: lineNo };
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch {
          throw rowError(at, line, 'is not valid JSON');
        }
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw rowError(at, line, 'is not a JSON object');
        const rec = obj as Record<string, unknown>;
        fn((k) => (columns[k] === undefined ? undefined : rec[columns[k]!]), at);
      }),
    );
    return;
  }
  const delimiter = m.delimiter ?? (format === 'tsv' ? '\t' : ',');
  let header: string[] | undefined;
  let index: number[] = [];
  forEachRecord(text, file, { delimiter, quote: true }, issues, (fields, line, raw) => {
    if (!header) {
      header = fields.map((h) => h.trim());
      index = columns.map((c) => (c === undefined ? -1 : headerIndex(header!, c, file)));
      return;
    }
    const h = header;
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, h.length, raw);
      fn((k) => (index[k]! < 0 ? undefined : fields[index[k]!]), at);
    });
  });
}

function headerIndex(header: string[], column: string, file: string): number {
  const k = header.indexOf(column);
  if (k < 0) throw new UnirecError(`${file}: no column "${column}" in the header (found: ${header.join(', ')})`);
  return k;
}

/** A cell as text: strings as is, numbers and booleans printed; missing -> undefined. */
function cellText(at: RowAt, field: string, cell: unknown): string | undefined {
  if (cell === undefined || cell === null) return undefined;
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  throw new RowError(at.file, at.line, field, JSON.stringify(cell), 'must be a string or a number');
}

function finite(at: RowAt, field: string, x: number, range?: readonly [number, number]): number {
  return parseNumber(at, field, String(x), range);
}

function cellNumber(at: RowAt, field: string, cell: unknown, range?: readonly [number, number]): number {
  return typeof cell === 'number' ? finite(at, field, cell, range) : parseNumber(at, field, cellText(at, field, cell), range);
}

function cellTimestamp(at: RowAt, field: string, cell: unknown): number {
  return typeof cell === 'number' ? parseTimestamp(at, field, cell) : parseTimestamp(at, field, cellText(at, field, cell));
}
