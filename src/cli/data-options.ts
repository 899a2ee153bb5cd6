import { type Command, Option } from 'commander';
import { cleanDataset, type CleanOptions } from '../data/clean.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { readGenericMapping } from '../data/readers/generic.js';
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
  dedupe: 'last' | 'first' | 'max' | 'sum';
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
    .addOption(new Option('--dedupe <policy>', 'repeated (user, item) pairs: keep last/first/max or sum').choices(['last', 'first', 'max', 'sum']).default('last'))
    .option('--min-rating <r>', 'drop interactions rated below r', finiteNumber('--min-rating'))
    .option('--kcore <n>', 'keep users and items with at least n interactions (iterated until stable)', positiveInt('--kcore'))
    .option('--implicit', 'treat every interaction as 1 (drop rating values)')
    .option('--columns <map>', 'for a single CSV/TSV/JSONL file: its columns, e.g. user=customer_id,item=sku,value=rating,ts=time');
}

/** Loads and cleans the data named by the flags; notes go to stderr. */
export async function loadFromFlags(flags: DataFlags): Promise<Dataset> {
  if (!flags.data) throw new UnirecError('--data is required');
  const options = { onError: flags.onError, quarantinePath: flags.quarantine };
  const raw =
    flags.data === 'synthetic'
      ? syntheticShop()
      : INTERACTION_FILE.test(extname(flags.data)) || flags.columns
        ? await readGenericMapping({ interactions: { path: basename(flags.data), ...parseColumns(flags.columns) } }, dirname(flags.data), options)
        : await loadDataset(flags.data, options);
  const clean: CleanOptions = { dedupe: flags.dedupe };
  if (flags.minRating !== undefined) clean.minRating = flags.minRating;
  if (flags.kcore !== undefined) clean.kcore = flags.kcore;
  if (flags.implicit) clean.implicit = 'binary';
  const ds = cleanDataset(raw, clean);
  for (const note of ds.notes) process.stderr.write(`note: ${note}\n`);
  return ds;
}

const INTERACTION_FILE = /^\.(csv|tsv|tab|jsonl|ndjson)$/i;
const COLUMN_ROLES = ['user', 'item', 'value', 'ts'] as const;

/** `--columns user=a,item=b,value=c,ts=d` -> the interactions mapping (default columns: user, item). */
export function parseColumns(text: string | undefined): { user: string; item: string; value?: string; ts?: string } {
  const mapping: Record<string, string> = { user: 'user', item: 'item' };
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const [role, column] = part.split('=').map((s) => s.trim());
    if (!role || !column || !(COLUMN_ROLES as readonly string[]).includes(role)) {
      throw new UnirecError(`--columns: "${part}" is not role=column with role one of ${COLUMN_ROLES.join(', ')}`);
    }
    mapping[role] = column;
  }
  return mapping as { user: string; item: string; value?: string; ts?: string };
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
