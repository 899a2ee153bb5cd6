import { extname } from 'node:path';
import { RowError, UnirecError } from '../../errors.js';
import { type RowAt, type RowIssues, checkFieldCount, parseNumber, parseTimestamp, rowError } from '../validate.js';
import { forEachLine, forEachRecord } from './delimited.js';
import type { FileMapping } from './mapping.js';
import { readText } from './text.js';

/**
 * Rows of one mapped file (CSV/TSV with a header, or JSONL), whatever the format, encoding or
 * separator, as a getter over the wanted columns; and the cell parsers the generic reader shares.
 */

export type Format = 'csv' | 'tsv' | 'jsonl';

export function formatOf(m: FileMapping, file: string): Format {
  if (m.format) return m.format;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new UnirecError(`cannot tell the format of ${file} from its extension: set "format" to csv, tsv or jsonl (format=tsv in --columns)`);
}

/**
 * Calls fn for each data row of a CSV/TSV (with a header) or JSONL file, with a getter for the wanted
 * columns (undefined entries are not wanted). A RowError thrown by fn makes the row bad.
 */
export async function forEachRow(
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
      index = columns.map((c) => (c === undefined ? -1 : headerIndex(header!, c, file, delimiter)));
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

function headerIndex(header: string[], column: string, file: string, delimiter: string): number {
  const k = header.indexOf(column);
  if (k >= 0) return k;
  // One header cell holding every name: the separator is not the one assumed.
  const guess = header.length === 1 ? [',', '\t', ';', '|'].find((d) => d !== delimiter && header[0]!.includes(d)) : undefined;
  const hint = guess === undefined ? '' : `; the header looks ${guess === '\t' ? 'tab' : `"${guess}"`}-separated: set "format"/"delimiter"`;
  throw new UnirecError(`${file}: no column "${column}" in the header (found: ${header.join(', ')})${hint}`);
}

/** A cell as text: strings as is, numbers and booleans printed; missing -> undefined. */
export function cellText(at: RowAt, field: string, cell: unknown): string | undefined {
  if (cell === undefined || cell === null) return undefined;
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  throw new RowError(at.file, at.line, field, JSON.stringify(cell), 'must be a string or a number');
}

export function finite(at: RowAt, field: string, x: number, range?: readonly [number, number]): number {
  return parseNumber(at, field, String(x), range);
}

export function cellNumber(at: RowAt, field: string, cell: unknown, range?: readonly [number, number]): number {
  return typeof cell === 'number' ? finite(at, field, cell, range) : parseNumber(at, field, cellText(at, field, cell), range);
}

export function cellTimestamp(at: RowAt, field: string, cell: unknown): number {
  return typeof cell === 'number' ? parseTimestamp(at, field, cell) : parseTimestamp(at, field, cellText(at, field, cell));
}
