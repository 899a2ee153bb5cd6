import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { UnirecError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { readGeneric } from './readers/generic.js';
import { readMovieLens100k, readMovieLens1m, readMovieLensLatest } from './readers/movielens.js';
import type { LoadOptions } from './readers/options.js';
import { findSequenceFile, readSequence } from './readers/sequence.js';
import { pathKind } from './readers/text.js';

export type { LoadOptions } from './readers/options.js';

/** The formats loadDataset can tell apart, in the order it tries them on a folder. */
export type DataFormat = 'generic' | 'ml-100k' | 'ml-latest-small' | 'ml-1m' | 'sequence';

/** The config file name that marks a folder as generic data. */
export const CONFIG_FILE = 'unirec.json';

const LOOKED_FOR =
  `${CONFIG_FILE} (generic), u.data (ml-100k), ratings.csv + movies.csv (ml-latest-small), ` +
  'movies.dat or ratings.dat (ml-1m), one <Name>.txt (sequence: user item item ...)';

/**
 * Which reader fits `path`: a `.json` file is a generic config and a `.txt` file a sequence file; a
 * folder is recognised by its files. Returns the format and the path to hand to the reader.
 */
export async function detectFormat(path: string): Promise<{ format: DataFormat; path: string }> {
  const kind = await pathKind(path);
  if (kind === undefined) throw new UnirecError(`no such file or folder: ${path}`);
  if (kind === 'file') {
    const ext = extname(path).toLowerCase();
    if (ext === '.json') return { format: 'generic', path };
    if (ext === '.txt') return { format: 'sequence', path };
    throw new UnirecError(
      `cannot tell the format of ${path}: give a folder, a .json column-mapping config or a .txt sequence file ` +
        `(for a single CSV/TSV/JSONL file, write a ${CONFIG_FILE} that maps its columns)`,
    );
  }
  const names = new Set(await readdir(path));
  if (names.has(CONFIG_FILE)) return { format: 'generic', path: join(path, CONFIG_FILE) };
  if (names.has('u.data')) return { format: 'ml-100k', path };
  if (names.has('ratings.csv') && names.has('movies.csv')) return { format: 'ml-latest-small', path };
  if (names.has('movies.dat') || names.has('ratings.dat')) return { format: 'ml-1m', path };
  if (await findSequenceFile(path)) return { format: 'sequence', path };
  const found = [...names].sort().slice(0, 20).join(', ') || 'nothing';
  throw new UnirecError(`cannot tell the format of the folder ${path}: looked for ${LOOKED_FOR}; found ${found}`);
}

/**
 * Loads a dataset from a MovieLens folder (ml-100k, ml-1m, ml-latest-small), a sequence folder or
 * file, or a generic config (a .json file, or a folder with unirec.json). Rows come back as in the
 * files; use cleanDataset to dedupe and filter. Bad rows fail the load unless `onError: 'skip'`.
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const { format, path: target } = await detectFormat(path);
  switch (format) {
    case 'generic':
      return readGeneric(target, options);
    case 'ml-100k':
      return readMovieLens100k(target, options);
    case 'ml-latest-small':
      return readMovieLensLatest(target, options);
    case 'ml-1m':
      return readMovieLens1m(target, options);
    case 'sequence':
      return readSequence(target, options);
  }
}
