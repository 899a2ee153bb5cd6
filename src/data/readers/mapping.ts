import { z } from 'zod';
import { UnirecError } from '../../errors.js';
import type { ColumnKind } from '../attributes.js';
import { VALUE_KINDS } from '../value-kind.js';
import { ENCODINGS } from './text.js';

/**
 * The JSON config of the generic reader (README "Your own data"): which files, how to read them, and
 * which columns mean what. Validated with zod; every error names the config and the key at fault.
 */

const fileFields = {
  /** Path to the file, relative to the config file (or to the base folder given with a mapping object). */
  path: z.string().min(1),
  /** csv | tsv | jsonl; by default from the extension (.csv, .tsv/.tab, .jsonl/.ndjson). */
  format: z.enum(['csv', 'tsv', 'jsonl']).optional(),
  /** Field separator for csv/tsv when it is not ',' or a tab (e.g. ';'). */
  delimiter: z.string().min(1).optional(),
  /** utf8 (default; bytes that are not UTF-8 are an error), latin1 or windows-1252. */
  encoding: z.enum(ENCODINGS).optional(),
};

const column = z.string().min(1);


export const interactionsMappingSchema = z.strictObject({
  ...fileFields,
  user: column,
  item: column,
  /** Rating, count or weight (see valueKind); absent -> 1 for every row. */
  value: column.optional(),
  /**
   * What value holds: 'rating' (explicit ratings: rating models, minRating, rating-weighted profiles),
   * 'count' (plays, purchases, visits: implicit, turned into the confidence 1 + ln(count)), 'weight'
   * (implicit, used as is). Default: 'rating', with a note saying it was assumed.
   */
  valueKind: z.enum(VALUE_KINDS).optional(),
  /** Unix seconds, Unix milliseconds or ISO 8601; absent -> no time order. */
  ts: column.optional(),
  /** Allowed [min, max] of value; a row outside it is a bad row. */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** Older spelling of valueKind: true = 'rating', false = 'weight'. */
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

/** A two-column table that turns ids into names (tag id -> tag name). */
export const lookupMappingSchema = z.strictObject({
  ...fileFields,
  /** The id column (unique). */
  key: column,
  /** The name column. */
  value: column,
});

/**
 * A long-format attribute table: one row per (entity, label), aggregated per entity into a weighted
 * multi-valued column (tag counts become weights). With `value`, the rows are entity-attribute-value
 * triples: the `attribute` cell names the column and the `value` cell is the label in it.
 */
export const longAttributesMappingSchema = z.strictObject({
  ...fileFields,
  /** The item (or user) id column; ids may repeat, one row per label. */
  id: column,
  /** The label column (a tag, or a tag id with `lookup`); with `value`: the column naming the attribute. */
  attribute: column,
  /** Entity-attribute-value tables: the label column (the attribute cell then names the table column). */
  value: column.optional(),
  /** A positive number per row, summed per (entity, label); absent -> each row counts 1. */
  weight: column.optional(),
  /** The table column the labels go to, without `value` (default: the attribute column's name). */
  name: column.optional(),
  /** Labels are ids into this table; the rows take its names. */
  lookup: lookupMappingSchema.optional(),
});

/** A user-user relation (follows, friends): one row per pair. */
export const relationMappingSchema = z.strictObject({
  ...fileFields,
  /** The user column. */
  user: column,
  /** The other user's column (who `user` follows, or is friends with). */
  other: column,
  /** Name of the relation, and of the user attribute column listing each user's others (default "friends"). */
  name: column.default('friends'),
  /** Each row holds both ways (friendship) rather than one (follows). Default false. */
  symmetric: z.boolean().default(false),
});

// one table or a list of them; a single object is read as a list of one (errors then say "itemAttributes.0.id")
const longList = z.preprocess((x) => (x === undefined || Array.isArray(x) ? x : [x]), z.array(longAttributesMappingSchema));

export const genericMappingSchema = z.strictObject({
  name: z.string().min(1).optional(),
  interactions: interactionsMappingSchema,
  items: attributesMappingSchema.optional(),
  users: attributesMappingSchema.optional(),
  /** Long-format item attribute tables (one object or a list). */
  itemAttributes: longList.optional(),
  /** Long-format user attribute tables (one object or a list). */
  userAttributes: longList.optional(),
  /** A user-user relation file (follows, friends). */
  relations: relationMappingSchema.optional(),
  /**
   * Ids that appear only in the items/users files (no interaction): 'keep' them as cold items/users
   * (default; a note counts them) or 'drop' them.
   */
  catalogueOnly: z.enum(['keep', 'drop']).optional(),
});

/** The mapping as written (defaults may be left out). */
export type GenericMapping = z.input<typeof genericMappingSchema>;
export type Mapping = z.output<typeof genericMappingSchema>;
export type InteractionsMapping = Mapping['interactions'];
export type AttributesMapping = NonNullable<Mapping['items']>;
export type LongAttributesMapping = z.output<typeof longAttributesMappingSchema>;
export type LookupMapping = z.output<typeof lookupMappingSchema>;
export type RelationMapping = z.output<typeof relationMappingSchema>;
/** What every file entry has: path, format, delimiter, encoding. */
export type FileMapping = Pick<InteractionsMapping, 'path' | 'format' | 'delimiter' | 'encoding'>;

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
  const im = mapping.interactions;
  if (im.explicit !== undefined && im.valueKind !== undefined && im.explicit !== (im.valueKind === 'rating')) {
    throw new UnirecError(`invalid column mapping in ${where}: interactions.explicit ${im.explicit} contradicts valueKind "${im.valueKind}" (use valueKind alone)`);
  }
  if (im.valueKind !== undefined && im.value === undefined) {
    throw new UnirecError(`invalid column mapping in ${where}: interactions.valueKind "${im.valueKind}" is set but no value column is mapped`);
  }
  return mapping;
}

/** Attribute columns of a wide mapping as (name, kind, separator for multi). */
export function attributeColumns(m: AttributesMapping): [string, ColumnKind, string?][] {
  return [
    ...(m.title === undefined ? [] : [['title', 'text'] as [string, ColumnKind]]),
    ...m.categorical.map((c): [string, ColumnKind] => [c, 'categorical']),
    ...Object.entries(m.multi).map(([c, sep]): [string, ColumnKind, string] => [c, 'multi', sep]),
    ...m.numeric.map((c): [string, ColumnKind] => [c, 'numeric']),
    ...m.text.map((c): [string, ColumnKind] => [c, 'text']),
  ];
}

/** The value kind of an interactions mapping, and whether it was assumed. */
export function valueKindOf(im: InteractionsMapping): { kind: (typeof VALUE_KINDS)[number] | undefined; assumed: boolean } {
  if (im.value === undefined) return { kind: undefined, assumed: false };
  if (im.valueKind !== undefined) return { kind: im.valueKind, assumed: false };
  if (im.explicit !== undefined) return { kind: im.explicit ? 'rating' : 'weight', assumed: false };
  return { kind: 'rating', assumed: true };
}
