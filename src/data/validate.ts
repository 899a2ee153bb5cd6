import { writeFileSync } from 'node:fs';
import { RowError } from '../errors.js';

/**
 * Row validation shared by every reader: field parsers that throw a RowError naming file, line, field
 * and value, and `RowIssues`, which either rethrows the first bad row ('fail') or keeps it for the
 * quarantine file ('skip').
 */

/** What to do with a malformed row: stop at the first one, or set it aside and go on. */
export type OnError = 'fail' | 'skip';

/** Where a value comes from: file and 1-based physical line (header counted). */
export interface RowAt {
  file: string;
  line: number;
}

/** Raw text of a row as kept in errors and the quarantine (long rows are cut, to keep files readable). */
function clip(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** A RowError for the whole row (wrong number of fields, broken quoting...). */
export function rowError(at: RowAt, raw: string, reason: string): RowError {
  return new RowError(at.file, at.line, '(row)', clip(raw, 200), reason);
}

/** Throws unless the row has exactly `expected` fields. */
export function checkFieldCount(at: RowAt, fields: readonly string[], expected: number, raw: string): void {
  if (fields.length !== expected) {
    throw rowError(at, raw, `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${expected}`);
  }
}

/** A non-empty id, trimmed. */
export function parseId(at: RowAt, field: string, value: string | undefined): string {
  const id = value?.trim() ?? '';
  if (id === '') throw new RowError(at.file, at.line, field, value ?? '', 'is empty (an id is required)');
  return id;
}

// Plain decimal numbers only: Number() would also take '', ' ', '0x1f', 'Infinity'.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number, optionally within [min, max]. */
export function parseNumber(
  at: RowAt,
  field: string,
  value: string | undefined,
  range?: readonly [number, number],
): number {
  const text = value?.trim() ?? '';
  if (text === '') throw new RowError(at.file, at.line, field, value ?? '', 'is empty (a number is required)');
  if (!DECIMAL.test(text)) {
    const reason = /^[+-]?(nan|inf(inity)?)$/i.test(text) ? 'must be a finite number' : 'is not a number';
    throw new RowError(at.file, at.line, field, text, reason);
  }
  const x = Number(text);
  if (!Number.isFinite(x)) throw new RowError(at.file, at.line, field, text, 'must be a finite number');
  if (range && (x < range[0] || x > range[1])) {
    throw new RowError(at.file, at.line, field, text, `is outside the range ${range[0]}..${range[1]}`);
  }
  return x;
}

/** A number, or NaN for an empty cell (attribute columns, where a value may be missing). */
export function parseOptionalNumber(at: RowAt, field: string, value: string | undefined): number {
  return value === undefined || value.trim() === '' ? NaN : parseNumber(at, field, value);
}

// ISO 8601 date or date-time, as people write it in exports: 2020-01-31, 2020-01-31T10:00, with seconds,
// fractions and an optional zone (Z or +hh:mm). A space may stand for the T.
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Unix seconds above this are read as milliseconds (1e12 s is the year 33658; 1e12 ms is 2001). */
const MS_THRESHOLD = 1e12;

/**
 * A timestamp in Unix seconds, from Unix seconds, Unix milliseconds (values above 1e12) or an ISO 8601
 * date. A date-time without a zone is read as UTC, so the result does not depend on the machine's zone.
 */
export function parseTimestamp(at: RowAt, field: string, value: string | number | undefined): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RowError(at.file, at.line, field, String(value), 'must be a finite number');
    return value > MS_THRESHOLD ? value / 1000 : value;
  }
  const text = value?.trim() ?? '';
  if (text === '') throw new RowError(at.file, at.line, field, value ?? '', 'is empty (a timestamp is required)');
  if (DECIMAL.test(text)) return parseTimestamp(at, field, Number(text));
  const m = ISO.exec(text);
  if (m) {
    const [, date, time, zone] = m;
    const ms = Date.parse(time === undefined ? `${date}T00:00:00Z` : `${date}T${time}${normaliseZone(zone)}`);
    if (Number.isFinite(ms)) return ms / 1000;
    throw new RowError(at.file, at.line, field, text, 'is not a valid date');
  }
  throw new RowError(at.file, at.line, field, text, 'is not a Unix time or an ISO 8601 date');
}

function normaliseZone(zone: string | undefined): string {
  if (zone === undefined) return 'Z';
  if (zone === 'Z' || zone.includes(':')) return zone;
  return `${zone.slice(0, 3)}:${zone.slice(3)}`; // +0200 -> +02:00, which Date.parse requires
}

/** One bad row kept for the quarantine file. */
export interface BadRow {
  error: RowError;
  raw: string;
}

/**
 * Collects bad rows under one policy. 'fail' throws the first one (nothing gets loaded); 'skip' keeps it
 * and lets the reader go on.
 */
export class RowIssues {
  readonly rows: BadRow[] = [];

  constructor(readonly policy: OnError = 'fail') {}

  get count(): number {
    return this.rows.length;
  }

  report(error: RowError, raw: string): void {
    if (this.policy === 'fail') throw error;
    this.rows.push({ error, raw: clip(raw) });
  }

  /** Runs `read` for one row; a RowError it throws is reported, anything else passes through. */
  row(raw: string, read: () => void): void {
    try {
      read();
    } catch (e) {
      if (e instanceof RowError) this.report(e, raw);
      else throw e;
    }
  }

  /** The quarantine as CSV: file,line,field,value,reason,raw. */
  toCsv(): string {
    const lines = ['file,line,field,value,reason,raw'];
    for (const { error: e, raw } of this.rows) {
      lines.push([e.file, String(e.line), e.field, e.value, e.reason, raw].map(csvCell).join(','));
    }
    return lines.join('\n') + '\n';
  }

  writeQuarantine(path: string): void {
    writeFileSync(path, this.toCsv());
  }
}

/** One CSV cell, quoted when it holds a comma, quote or line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
