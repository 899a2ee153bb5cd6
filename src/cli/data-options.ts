import { type Command, Option } from 'commander';
import { cleanDataset, type CleanOptions } from '../data/clean.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { parseGenericMapping, readGenericMapping } from '../data/readers/generic.js';
import { syntheticShop } from '../data/synthetic.js';
import { UnirecError } from '../errors.js';
import { finiteNumber, positiveInt } from './flags.js';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';

/** The data flags every command that reads data shares. */
export interface DataFlags {
  data?: string;
  onError: 'fail' | 'skip';
  quarantine?: string;
  dedupe?: 'last' | 'first' | 'max' | 'sum' | 'none';
  catalogueOnly?: 'keep' | 'drop';
  minRating?: number;
  kcore?: number;
  implicit?: boolean;
  columns?: string;
}

export function addDataOptions(cmd: Command, required = true): Command {
  const data = new Option(
    '--data <path>',
    'a MovieLens folder (ml-100k, ml-1m, ml-latest-small), a sequence folder, a generic JSON config, or "synthetic"',
  );
  if (required) data.makeOptionMandatory();
  return cmd
    .addOption(data)
    .addOption(new Option('--on-error <mode>', 'malformed rows: fail (stop at the first) or skip (quarantine them)').choices(['fail', 'skip']).default('fail'))
    .option('--quarantine <file>', 'where skipped rows go (default ./quarantine-<data>.csv)')
    .addOption(
      new Option('--dedupe <policy>', 'repeated (user, item) pairs: keep last/first/max, sum them, or none (keep every event, in time order); default last, sum for counts').choices([
        'last',
        'first',
        'max',
        'sum',
        'none',
      ]),
    )
    .addOption(new Option('--catalogue-only <mode>', 'ids only in the items/users file, in no interaction: keep (as cold items/users) or drop').choices(['keep', 'drop']))
    .option('--min-rating <r>', 'drop interactions rated below r', finiteNumber('--min-rating'))
    .option('--kcore <n>', 'keep users and items with at least n interactions (iterated until stable)', positiveInt('--kcore'))
    .option('--implicit', 'treat every interaction as 1 (drop rating values)')
    .option(
      '--columns <map>',
      'for a single CSV/TSV/JSONL file: its columns and how to read it, e.g. user=customer_id,item=sku,value=plays,valueKind=count,ts=time,format=tsv,encoding=latin1,delimiter=semicolon',
    );
}

/** Loads and cleans the data named by the flags; notes go to stderr. */
export async function loadFromFlags(flags: DataFlags): Promise<Dataset> {
  if (!flags.data) throw new UnirecError('--data is required');
  const options = { onError: flags.onError, quarantinePath: flags.quarantine, ...(flags.catalogueOnly && { catalogueOnly: flags.catalogueOnly }) };
  const raw =
    flags.data === 'synthetic'
      ? syntheticShop()
      : INTERACTION_FILE.test(extname(flags.data)) || flags.columns
        ? await readGenericMapping(parseGenericMapping({ interactions: { path: basename(flags.data), ...parseColumns(flags.columns) } }, '--columns'), dirname(flags.data), options)
        : await loadDataset(flags.data, options);
  const clean: CleanOptions = flags.dedupe === undefined ? {} : { dedupe: flags.dedupe };
  if (flags.minRating !== undefined) clean.minRating = flags.minRating;
  if (flags.kcore !== undefined) clean.kcore = flags.kcore;
  if (flags.implicit) clean.implicit = 'binary';
  const ds = cleanDataset(raw, clean);
  for (const note of ds.notes) process.stderr.write(`note: ${note}\n`);
  return ds;
}

const INTERACTION_FILE = /^\.(csv|tsv|tab|jsonl|ndjson)$/i;
const COLUMN_ROLES = ['user', 'item', 'value', 'ts'] as const;
const READ_KEYS = ['format', 'delimiter', 'encoding', 'valueKind'] as const;
/** Separators that cannot be written inside --columns (a comma separates its parts) have names. */
const DELIMITER_NAMES: Record<string, string> = { comma: ',', tab: '\t', semicolon: ';', pipe: '|', space: ' ' };

/** The interactions mapping --columns gives (validated later with the config schema). */
export interface ColumnsMapping {
  user: string;
  item: string;
  value?: string;
  ts?: string;
  format?: string;
  delimiter?: string;
  encoding?: string;
  valueKind?: string;
}

/**
 * `--columns user=a,item=b,value=c,ts=d,format=tsv,encoding=latin1,delimiter=semicolon,valueKind=count`
 * -> the interactions mapping (default columns: user, item). Values of format, encoding and valueKind
 * are checked with the config's schema, so the error lists the choices.
 */
export function parseColumns(text: string | undefined): ColumnsMapping {
  const mapping: Record<string, string> = { user: 'user', item: 'item' };
  const keys: readonly string[] = [...COLUMN_ROLES, ...READ_KEYS];
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    const role = part.slice(0, Math.max(0, eq)).trim();
    const column = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!role || !column || !keys.includes(role)) {
      throw new UnirecError(`--columns: "${part}" is not key=value with key one of ${keys.join(', ')}`);
    }
    mapping[role] = role === 'delimiter' ? (DELIMITER_NAMES[column] ?? column) : column;
  }
  return mapping as unknown as ColumnsMapping;
}

/** --config FILE (model params as a JSON file, e.g. a pipeline's retrievers) merged under --params. */
export function paramsFromFlags(flags: { params?: string; config?: string }): Record<string, unknown> {
  let fromFile: Record<string, unknown> = {};
  if (flags.config !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch {
      throw new UnirecError(`--config: cannot read ${flags.config}`);
    }
    try {
      fromFile = parseParamsFlag(text);
    } catch {
      throw new UnirecError(`--config: ${flags.config} must hold a JSON object of model params`);
    }
  }
  return { ...fromFile, ...parseParamsFlag(flags.params) };
}

/** Parses --params JSON with a clear error. */
export function parseParamsFlag(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new UnirecError(`--params must be a JSON object, e.g. '{"k": 50}', got ${JSON.stringify(text)}`);
  }
}
