import { basename, join } from 'node:path';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { RowError, UnirecError } from '../../errors.js';
import { AttributeTableBuilder } from '../attributes.js';
import type { Dataset } from '../dataset.js';
import { IdMap } from '../idmap.js';
import type { Interactions } from '../interactions.js';
import { type RowAt, RowIssues, checkFieldCount, parseId, parseNumber } from '../validate.js';
import { type AttributePart, Catalogue, InteractionsBuilder, finishDataset } from './builder.js';
import { type DelimitedOptions, forEachRecord } from './delimited.js';
import type { LoadOptions } from './options.js';
import { type Encoding, pathKind, readBytes, readText } from './text.js';

/**
 * Readers for the MovieLens folders as GroupLens publishes them: ml-100k, ml-1m and ml-latest-small.
 * Catalogue files (items, users) are read first, so dense ids follow their order (ml-100k: dense = id - 1).
 */

const RATING_RANGE_INT: [number, number] = [1, 5];
const RATING_RANGE_HALF: [number, number] = [0.5, 5];

/** Columns of a ratings file: field names for messages, and their positions. */
interface RatingLayout {
  names: [user: string, item: string, rating: string, ts: string];
  index: [number, number, number, number];
  fieldCount: number;
}

const POSITIONAL = (names: RatingLayout['names']): RatingLayout => ({ names, index: [0, 1, 2, 3], fieldCount: 4 });

/** Reads `user item rating ts` rows, calling `push` with external ids; returns nothing, reports bad rows. */
function readRatingRows(
  text: string,
  file: string,
  format: DelimitedOptions,
  layout: RatingLayout | 'header',
  range: readonly [number, number],
  issues: RowIssues,
  push: (user: string, item: string, rating: number, ts: number) => void,
): void {
  let cols = layout === 'header' ? undefined : layout;
  forEachRecord(text, file, format, issues, (fields, line, raw) => {
    if (!cols) {
      cols = headerLayout(fields, file, ['userId', 'movieId', 'rating', 'timestamp']);
      return;
    }
    const c = cols;
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, c.fieldCount, raw);
      const user = parseId(at, c.names[0], fields[c.index[0]]);
      const item = parseId(at, c.names[1], fields[c.index[1]]);
      const rating = parseNumber(at, c.names[2], fields[c.index[2]], range);
      const ts = parseNumber(at, c.names[3], fields[c.index[3]]);
      push(user, item, rating, ts);
    });
  });
}

/** Positions of named columns in a CSV header; a missing one is a UnirecError naming the file. */
function headerLayout(header: string[], file: string, names: RatingLayout['names']): RatingLayout {
  const index = names.map((n) => columnIndex(header, n, file)) as RatingLayout['index'];
  return { names, index, fieldCount: header.length };
}

function columnIndex(header: readonly string[], name: string, file: string): number {
  const k = header.findIndex((h) => h.trim() === name);
  if (k < 0) throw new UnirecError(`${file}: no column "${name}" in the header (found: ${header.join(', ')})`);
  return k;
}

/** The year in a title like "Heat (1995)" or "Babylon 5 (1993-1998)"; NaN when there is none. */
export function yearFromTitle(title: string): number {
  const m = /\((\d{4})(?:\s*[-–]\s*\d{0,4})?\)\s*$/.exec(title);
  return m ? Number(m[1]) : NaN;
}

/** Text of an optional file, or undefined (with a note) when it is not there. */
async function optionalText(path: string, encoding: Encoding, notes: string[], without: string): Promise<string | undefined> {
  if ((await pathKind(path)) !== 'file') {
    notes.push(`no ${basename(path)}: ${without}`);
    return undefined;
  }
  return readText(path, encoding);
}

/** US zip codes start with a digit naming a region of states; other codes (Canada...) get no region. */
function region(zip: string): string | undefined {
  return /^\d/.test(zip) ? zip[0] : undefined;
}

// ---------------------------------------------------------------------------------------------------
// ml-100k

const PIPE: DelimitedOptions = { delimiter: '|', quote: false };
const TAB: DelimitedOptions = { delimiter: '\t', quote: false };

/**
 * ml-100k: `u.data` ratings (1..5, Unix seconds), `u.item` (title, genres from `u.genre`, year),
 * `u.user` (age, gender, occupation, zip, region), and the publisher's folds u1..u5 as `folds`.
 */
export async function readMovieLens100k(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const name = options.name ?? basename(dir);
  const issues = new RowIssues(options.onError);
  const notes: string[] = [];
  const users = new IdMap();
  const items = new IdMap();

  const genreFile = join(dir, 'u.genre');
  const genreText = await optionalText(genreFile, 'latin1', notes, 'genres are named genre0..genre18');
  const genres = genreText === undefined ? Array.from({ length: 19 }, (_, k) => `genre${k}`) : readGenres(genreText, genreFile, issues);

  const itemFile = join(dir, 'u.item');
  const itemText = await optionalText(itemFile, 'latin1', notes, 'items have no attributes');
  const itemAttrs = itemText === undefined ? undefined : read100kItems(itemText, itemFile, items, genres, issues);

  const userFile = join(dir, 'u.user');
  const userText = await optionalText(userFile, 'latin1', notes, 'users have no attributes');
  const userAttrs = userText === undefined ? undefined : read100kUsers(userText, userFile, users, issues);

  const file = join(dir, 'u.data');
  const b = new InteractionsBuilder(users, items);
  const names: RatingLayout['names'] = ['user_id', 'item_id', 'rating', 'timestamp'];
  readRatingRows(await readText(file, 'latin1', 'interactions file'), file, TAB, POSITIONAL(names), RATING_RANGE_INT, issues, (u, i, r, t) => b.push(u, i, r, t));
  const interactions = b.build();
  const folds = await read100kFolds(dir, interactions, users, items, issues, notes);

  return finishDataset(
    { name, source: 'ml-100k', file, users, items, interactions, itemAttrs, userAttrs, hasRatings: true, hasTime: true, notes, issues, folds },
    options,
  );
}

/** `u.genre`: `name|index` lines; names in index order. */
function readGenres(text: string, file: string, issues: RowIssues): string[] {
  const names: string[] = [];
  forEachRecord(text, file, PIPE, issues, (fields, line, raw) =>
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, 2, raw);
      const index = parseNumber(at, 'index', fields[1], [0, 1000]);
      if (!Number.isInteger(index)) throw new RowError(file, line, 'index', fields[1]!, 'is not a whole number');
      names[index] = parseId(at, 'name', fields[0]);
    }),
  );
  for (let k = 0; k < names.length; k++) names[k] ??= `genre${k}`;
  return names;
}

function read100kItems(text: string, file: string, items: IdMap, genres: string[], issues: RowIssues): AttributePart {
  const builder = new AttributeTableBuilder({ title: 'text', genres: 'multi', year: 'numeric' });
  const catalogue = new Catalogue(items, file);
  const fieldCount = 5 + genres.length;
  forEachRecord(text, file, PIPE, issues, (fields, line, raw) =>
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, fieldCount, raw);
      const list: string[] = [];
      for (let k = 0; k < genres.length; k++) {
        const flag = fields[5 + k]!.trim();
        if (flag === '1') list.push(genres[k]!);
        else if (flag !== '0') throw new RowError(file, line, genres[k]!, flag, 'must be 0 or 1');
      }
      const row = catalogue.describe(at, 'movie_id', parseId(at, 'movie_id', fields[0]));
      const title = fields[1]!.trim();
      const date = /(\d{4})\s*$/.exec(fields[2]!);
      builder.setText('title', row, title);
      builder.setMulti('genres', row, list);
      builder.setNumeric('year', row, date ? Number(date[1]) : yearFromTitle(title));
    }),
  );
  return { builder, catalogue };
}

function read100kUsers(text: string, file: string, users: IdMap, issues: RowIssues): AttributePart {
  const builder = new AttributeTableBuilder({ age: 'numeric', gender: 'categorical', occupation: 'categorical', zip: 'categorical', region: 'categorical' });
  const catalogue = new Catalogue(users, file);
  forEachRecord(text, file, PIPE, issues, (fields, line, raw) =>
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, 5, raw);
      const age = parseNumber(at, 'age', fields[1], [0, 150]);
      const row = catalogue.describe(at, 'user_id', parseId(at, 'user_id', fields[0]));
      const zip = fields[4]!.trim();
      builder.setNumeric('age', row, age);
      builder.setCategorical('gender', row, fields[2]!.trim());
      builder.setCategorical('occupation', row, fields[3]!.trim());
      builder.setCategorical('zip', row, zip);
      builder.setCategorical('region', row, region(zip));
    }),
  );
  return { builder, catalogue };
}

/**
 * The publisher's 5 folds: rows of `interactions` matching each `u{k}.test` by (user, item).
 * Absent when the files are absent; dropped with a note when incomplete or not matching u.data.
 */
async function read100kFolds(
  dir: string,
  x: Interactions,
  users: IdMap,
  items: IdMap,
  issues: RowIssues,
  notes: string[],
): Promise<Int32Array[] | undefined> {
  const files = [1, 2, 3, 4, 5].map((k) => join(dir, `u${k}.test`));
  const present = await Promise.all(files.map(async (f) => (await pathKind(f)) === 'file'));
  if (!present.some(Boolean)) return undefined;
  const absent = files.filter((_, k) => !present[k]).map((f) => basename(f));
  if (absent.length) {
    notes.push(`publisher folds not set: ${absent.join(', ')} missing`);
    return undefined;
  }
  const nItems = items.size;
  const rowOf = new Map<number, number>();
  for (let r = 0; r < x.length; r++) rowOf.set(x.user[r]! * nItems + x.item[r]!, r);

  const folds: Int32Array[] = [];
  const names: RatingLayout['names'] = ['user_id', 'item_id', 'rating', 'timestamp'];
  for (const file of files) {
    const rows: number[] = [];
    let unmatched = 0;
    readRatingRows(await readText(file, 'latin1'), file, TAB, POSITIONAL(names), RATING_RANGE_INT, issues, (u, i) => {
      const uu = users.get(u);
      const ii = items.get(i);
      const r = uu < 0 || ii < 0 ? undefined : rowOf.get(uu * nItems + ii);
      if (r === undefined) unmatched++;
      else rows.push(r);
    });
    if (unmatched > 0) {
      notes.push(`publisher folds not set: ${unmatched} rows of ${basename(file)} are not in u.data`);
      return undefined;
    }
    folds.push(Int32Array.from(rows).sort());
  }
  return folds;
}

// ---------------------------------------------------------------------------------------------------
// ml-latest-small (and the other ml-latest / ml-20m+ CSV releases, which share its format)

const CSV: DelimitedOptions = { delimiter: ',', quote: true };

/**
 * ml-latest-small: `ratings.csv` (0.5..5 stars, Unix seconds), `movies.csv` (title, genres, year) and
 * `tags.csv` (item column `tags`: lowercased, trimmed). UTF-8, CRLF and quoted fields are handled.
 */
export async function readMovieLensLatest(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const name = options.name ?? basename(dir);
  const issues = new RowIssues(options.onError);
  const notes: string[] = [];
  const users = new IdMap();
  const items = new IdMap();

  const builder = new AttributeTableBuilder({ title: 'text', genres: 'multi', year: 'numeric', tags: 'multi' });
  const movieFile = join(dir, 'movies.csv');
  const catalogue = new Catalogue(items, movieFile);
  const movieText = await optionalText(movieFile, 'utf8', notes, 'items have no titles or genres');
  if (movieText !== undefined) readLatestMovies(movieText, movieFile, catalogue, builder, issues);
  const tagFile = join(dir, 'tags.csv');
  const tagText = await optionalText(tagFile, 'utf8', notes, 'items have no tags');
  if (tagText !== undefined) readLatestTags(tagText, tagFile, items, builder, issues);

  const file = join(dir, 'ratings.csv');
  const b = new InteractionsBuilder(users, items);
  readRatingRows(await readText(file, 'utf8', 'interactions file'), file, CSV, 'header', RATING_RANGE_HALF, issues, (u, i, r, t) => b.push(u, i, r, t));

  const itemAttrs = movieText === undefined && tagText === undefined ? undefined : { builder, catalogue };
  return finishDataset(
    { name, source: 'ml-latest-small', file, users, items, interactions: b.build(), itemAttrs, hasRatings: true, hasTime: true, notes, issues },
    options,
  );
}

/** Rows of a headed CSV with the positions of the named columns. */
function forEachNamedRow(
  text: string,
  file: string,
  columns: string[],
  issues: RowIssues,
  fn: (get: (k: number) => string, at: RowAt) => void,
): void {
  let header: string[] | undefined;
  let index: number[] = [];
  forEachRecord(text, file, CSV, issues, (fields, line, raw) => {
    if (!header) {
      header = fields;
      index = columns.map((c) => columnIndex(fields, c, file));
      return;
    }
    const at = { file, line };
    issues.row(raw, () => {
      checkFieldCount(at, fields, header!.length, raw);
      fn((k) => fields[index[k]!]!, at);
    });
  });
}

function readLatestMovies(text: string, file: string, catalogue: Catalogue, builder: AttributeTableBuilder, issues: RowIssues): void {
  forEachNamedRow(text, file, ['movieId', 'title', 'genres'], issues, (get, at) => {
    const row = catalogue.describe(at, 'movieId', parseId(at, 'movieId', get(0)));
    const title = get(1).trim();
    const genres = get(2).trim();
    builder.setText('title', row, title);
    builder.setNumeric('year', row, yearFromTitle(title));
    builder.setMulti('genres', row, genres === '(no genres listed)' ? [] : genres.split('|').map((g) => g.trim()));
  });
}

function readLatestTags(text: string, file: string, items: IdMap, builder: AttributeTableBuilder, issues: RowIssues): void {
  forEachNamedRow(text, file, ['movieId', 'tag'], issues, (get, at) => {
    const row = items.add(parseId(at, 'movieId', get(0)));
    builder.setMulti('tags', row, [get(1).trim().toLowerCase()]);
  });
}

// ---------------------------------------------------------------------------------------------------
// ml-1m

const COLONS: DelimitedOptions = { delimiter: '::', quote: false };

/** ml-1m age codes and occupation codes, as its README defines them. */
const ML1M_AGES: Record<string, string> = { '1': 'Under 18', '18': '18-24', '25': '25-34', '35': '35-44', '45': '45-49', '50': '50-55', '56': '56+' };
const ML1M_OCCUPATIONS = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service',
  'doctor/health care', 'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer',
  'retired', 'sales/marketing', 'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman',
  'unemployed', 'writer',
];

/**
 * ml-1m: `users.dat` (gender, age code and age_group label, occupation name, zip, region), `movies.dat`
 * (title, genres, year), and ratings from `ratings.dat` (1..5, Unix seconds) or, failing that,
 * `ratings.parquet`, which holds (user, movie) pairs only: value 1, no time.
 */
export async function readMovieLens1m(dir: string, options: LoadOptions = {}): Promise<Dataset> {
  const name = options.name ?? basename(dir);
  const issues = new RowIssues(options.onError);
  const notes: string[] = [];
  const users = new IdMap();
  const items = new IdMap();

  const userFile = join(dir, 'users.dat');
  const userText = await optionalText(userFile, 'latin1', notes, 'users have no attributes');
  const userAttrs = userText === undefined ? undefined : read1mUsers(userText, userFile, users, issues);
  const movieFile = join(dir, 'movies.dat');
  const movieText = await optionalText(movieFile, 'latin1', notes, 'items have no attributes');
  const itemAttrs = movieText === undefined ? undefined : read1mMovies(movieText, movieFile, items, issues);

  const b = new InteractionsBuilder(users, items);
  const datFile = join(dir, 'ratings.dat');
  const parquetFile = join(dir, 'ratings.parquet');
  let file: string;
  let explicit = true;
  if ((await pathKind(datFile)) === 'file') {
    file = datFile;
    const names: RatingLayout['names'] = ['UserID', 'MovieID', 'Rating', 'Timestamp'];
    readRatingRows(await readText(file, 'latin1'), file, COLONS, POSITIONAL(names), RATING_RANGE_INT, issues, (u, i, r, t) => b.push(u, i, r, t));
  } else if ((await pathKind(parquetFile)) === 'file') {
    file = parquetFile;
    explicit = false;
    await readParquetPairs(file, b, issues);
    notes.push(
      'ratings.parquet holds (user, movie) pairs only: ratings and time are absent, so every interaction counts 1 ' +
        'and the loo/temporal protocols are unavailable (use ratio or kfold)',
    );
  } else {
    throw new UnirecError(`no ratings in ${dir}: looked for ratings.dat and ratings.parquet`);
  }
  return finishDataset(
    { name, source: 'ml-1m', file, users, items, interactions: b.build(), itemAttrs, userAttrs, hasRatings: explicit, hasTime: explicit, notes, issues },
    options,
  );
}

function read1mUsers(text: string, file: string, users: IdMap, issues: RowIssues): AttributePart {
  const builder = new AttributeTableBuilder({
    gender: 'categorical', age: 'numeric', age_group: 'categorical', occupation: 'categorical', zip: 'categorical', region: 'categorical',
  });
  const catalogue = new Catalogue(users, file);
  forEachRecord(text, file, COLONS, issues, (fields, line, raw) =>
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, 5, raw);
      const age = fields[2]!.trim();
      const group = ML1M_AGES[age];
      if (group === undefined) throw new RowError(file, line, 'Age', age, `is not an age code (${Object.keys(ML1M_AGES).join(', ')})`);
      const occ = parseNumber(at, 'Occupation', fields[3], [0, ML1M_OCCUPATIONS.length - 1]);
      if (!Number.isInteger(occ)) throw new RowError(file, line, 'Occupation', fields[3]!, 'is not a whole number');
      const row = catalogue.describe(at, 'UserID', parseId(at, 'UserID', fields[0]));
      const zip = fields[4]!.trim();
      builder.setCategorical('gender', row, fields[1]!.trim());
      builder.setNumeric('age', row, Number(age));
      builder.setCategorical('age_group', row, group);
      builder.setCategorical('occupation', row, ML1M_OCCUPATIONS[occ]);
      builder.setCategorical('zip', row, zip);
      builder.setCategorical('region', row, region(zip));
    }),
  );
  return { builder, catalogue };
}

function read1mMovies(text: string, file: string, items: IdMap, issues: RowIssues): AttributePart {
  const builder = new AttributeTableBuilder({ title: 'text', genres: 'multi', year: 'numeric' });
  const catalogue = new Catalogue(items, file);
  forEachRecord(text, file, COLONS, issues, (fields, line, raw) =>
    issues.row(raw, () => {
      const at = { file, line };
      checkFieldCount(at, fields, 3, raw);
      const row = catalogue.describe(at, 'MovieID', parseId(at, 'MovieID', fields[0]));
      const title = fields[1]!.trim();
      builder.setText('title', row, title);
      builder.setNumeric('year', row, yearFromTitle(title));
      builder.setMulti('genres', row, fields[2]!.split('|').map((g) => g.trim()));
    }),
  );
  return { builder, catalogue };
}

/**
 * (user, movie) pairs from a Parquet file with a user column and a movie/item column (ids as strings
 * or integers). A bad cell's "line" is its 1-based row number.
 */
async function readParquetPairs(file: string, b: InteractionsBuilder, issues: RowIssues): Promise<void> {
  const bytes = await readBytes(file, 'interactions file');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (e) {
    throw new UnirecError(`${file}: not a readable Parquet file (${(e as Error).message})`);
  }
  const names = metadata.schema.slice(1).map((s) => s.name);
  const pick = (pattern: RegExp, what: string): string => {
    const found = names.find((n) => pattern.test(n));
    if (!found) throw new UnirecError(`${file}: no ${what} column (columns: ${names.join(', ')})`);
    return found;
  };
  const userCol = pick(/^user_?id$/i, 'user id');
  const itemCol = pick(/^(movie|item)_?id$/i, 'movie/item id');
  const n = Number(metadata.num_rows);
  const columns: Record<string, unknown[]> = { [userCol]: new Array(n), [itemCol]: new Array(n) };
  await parquetRead({
    file: buffer,
    metadata,
    columns: [userCol, itemCol],
    compressors,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const out = columns[columnName]!;
      for (let k = 0; k < columnData.length; k++) out[rowStart + k] = columnData[k];
    },
  });
  const users = columns[userCol]!;
  const items = columns[itemCol]!;
  for (let r = 0; r < n; r++) {
    const u = idText(users[r]);
    const i = idText(items[r]);
    if (u !== '' && i !== '') {
      b.push(u, i, 1, NaN);
      continue;
    }
    const [field, value] = u === '' ? [userCol, users[r]] : [itemCol, items[r]];
    issues.report(new RowError(file, r + 1, field, String(value ?? ''), 'is empty (an id is required)'), `${users[r]},${items[r]}`);
  }
}

function idText(v: unknown): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

