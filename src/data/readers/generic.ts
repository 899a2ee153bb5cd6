import { basename, dirname, extname, resolve } from 'node:path';
import { RowError, UnirecError } from '../../errors.js';
import { AttributeTableBuilder } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import { RowIssues, parseId, parseOptionalNumber } from '../validate.js';
import { type AttributePart, Catalogue, InteractionsBuilder, finishDataset } from './builder.js';
import { readLongAttributes } from './long-attributes.js';
import { type AttributesMapping, type GenericMapping, type LongAttributesMapping, attributeColumns, parseGenericMapping, valueKindOf } from './mapping.js';
import type { LoadOptions } from './options.js';
import { readRelation } from './relations.js';
import { cellNumber, cellText, cellTimestamp, finite, forEachRow } from './rows.js';
import { readText } from './text.js';

export { attributesMappingSchema, genericMappingSchema, interactionsMappingSchema, parseGenericMapping, type GenericMapping } from './mapping.js';

/**
 * The generic reader: interactions from a CSV, TSV or JSONL file, plus optional item and user files
 * (wide: one row per id), long-format attribute tables (one row per (id, label), with an optional
 * lookup table for label ids) and a user-user relation file, with a column mapping given as a JSON
 * config (paths relative to it) or as an object (CLI flags). The config keys are in mapping.ts and
 * README "Your own data".
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

  let itemAttrs = m.items && (await readAttributes(m.items, baseDir, items, 'items file', issues));
  let userAttrs = m.users && (await readAttributes(m.users, baseDir, users, 'users file', issues));

  const im = m.interactions;
  const { kind: valueKind, assumed } = valueKindOf(im);
  const file = resolve(baseDir, im.path);
  const b = new InteractionsBuilder(users, items);
  const columns = [im.user, im.item, im.value, im.ts];
  let zeroCounts = 0;
  let maxValue = -Infinity;
  await forEachRow(im, file, 'interactions file', columns, issues, (get, at) => {
    const user = parseId(at, im.user, cellText(at, im.user, get(0)));
    const item = parseId(at, im.item, cellText(at, im.item, get(1)));
    const value = im.value === undefined ? 1 : cellNumber(at, im.value, get(2), im.range);
    const ts = im.ts === undefined ? NaN : cellTimestamp(at, im.ts, get(3));
    if (valueKind === 'count' || valueKind === 'weight') {
      if (value < 0) throw new RowError(at.file, at.line, im.value!, String(value), `is negative (a ${valueKind} cannot be)`);
      if (value === 0) {
        zeroCounts++; // "played 0 times" is no event
        return;
      }
    }
    if (value > maxValue) maxValue = value;
    b.push(user, item, value, ts);
  });
  if (im.value === undefined) notes.push('no value column: every interaction counts 1');
  else notes.push(valueNote(im.value, valueKind!, assumed, maxValue));
  if (zeroCounts > 0) notes.push(`${zeroCounts} row${zeroCounts === 1 ? '' : 's'} with ${valueKind} 0 left out (no event)`);
  if (im.ts === undefined) notes.push('no time column: the loo and temporal protocols are unavailable');

  itemAttrs = await readLongTables(m.itemAttributes, baseDir, items, itemAttrs, 'item', issues, notes);
  userAttrs = await readLongTables(m.userAttributes, baseDir, users, userAttrs, 'user', issues, notes);
  const relation = m.relations && (await readRelation(m.relations, baseDir, users, issues, notes));
  if (relation) {
    // each user's others as a user attribute: models that read user features use it
    userAttrs ??= { builder: new AttributeTableBuilder({}) };
    const col = relation.name;
    const b = userAttrs.builder;
    if ((['numeric', 'categorical', 'text'] as const).some((k) => b.hasColumn(col, k))) {
      throw new UnirecError(`relations.name "${col}" is already a users column of another kind: give the relation another name`);
    }
    if (!b.hasColumn(col, 'multi')) b.addColumn(col, 'multi');
    const g = relation.graph;
    for (let u = 0; u < g.nRows; u++) if (g.rowLength(u) > 0) b.setMulti(col, u, Array.from(g.rowIndices(u), (v) => users.external(v)));
  }

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
      hasRatings: valueKind === 'rating',
      hasTime: im.ts !== undefined,
      ...(valueKind && { valueKind }),
      ...(relation && { relation }),
      notes,
      issues,
    },
    { ...options, catalogueOnly: options.catalogueOnly ?? m.catalogueOnly },
  );
}

/** The note saying what the value column was read as, and whether that was assumed. */
function valueNote(column: string, kind: 'rating' | 'count' | 'weight', assumed: boolean, max: number): string {
  const what = {
    rating: 'explicit ratings (rating models, minRating and rating-weighted profiles use them)',
    count: 'counts (implicit: each becomes the confidence 1 + ln(count), not a rating)',
    weight: 'implicit weights, used as they are',
  }[kind];
  if (!assumed) return `value column "${column}" read as ${what} (valueKind "${kind}")`;
  const suspicious = max > 10 ? `; values go up to ${max}, which looks like counts rather than ratings` : '';
  return `value column "${column}" read as ${what}: assumed${suspicious}; set "valueKind" to "count" (plays, purchases) or "weight" (used as is) if it is not`;
}

async function readLongTables(
  tables: LongAttributesMapping[] | undefined,
  baseDir: string,
  ids: IdMap,
  part: AttributePart | undefined,
  kind: 'item' | 'user',
  issues: RowIssues,
  notes: string[],
): Promise<AttributePart | undefined> {
  if (!tables?.length) return part;
  const out = part ?? { builder: new AttributeTableBuilder({}) };
  for (const t of tables) await readLongAttributes(t, baseDir, ids, out.builder, kind, issues, notes);
  return out;
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
