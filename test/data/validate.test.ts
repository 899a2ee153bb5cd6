import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowError } from '../../src/errors.js';
import { forEachRecord } from '../../src/data/readers/delimited.js';
import { RowIssues, parseId, parseNumber, parseTimestamp } from '../../src/data/validate.js';

const at = { file: 'f.csv', line: 7 };

function rowError(fn: () => unknown): RowError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RowError, `expected a RowError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a RowError');
}

test('parseNumber accepts decimals and rejects the rest with a RowError naming the field', () => {
  assert.equal(parseNumber(at, 'rating', ' 4.5 '), 4.5);
  assert.equal(parseNumber(at, 'rating', '-1e3'), -1000);
  for (const [value, reason] of [
    ['', /empty/],
    ['abc', /not a number/],
    ['0x10', /not a number/],
    ['NaN', /finite/],
    ['Infinity', /finite/],
    ['-inf', /finite/],
  ] as const) {
    const e = rowError(() => parseNumber(at, 'rating', value));
    assert.equal(e.file, 'f.csv');
    assert.equal(e.line, 7);
    assert.equal(e.field, 'rating');
    assert.match(e.reason, reason);
  }
  const e = rowError(() => parseNumber(at, 'rating', '6', [1, 5]));
  assert.equal(e.value, '6');
  assert.match(e.message, /f\.csv:7: field "rating" is outside the range 1\.\.5/);
});

test('parseId trims and refuses empty ids', () => {
  assert.equal(parseId(at, 'user', ' u1 '), 'u1');
  assert.match(rowError(() => parseId(at, 'user', '  ')).reason, /empty/);
  assert.match(rowError(() => parseId(at, 'user', undefined)).reason, /empty/);
});

test('parseTimestamp reads Unix seconds, milliseconds and ISO 8601 dates (UTC without a zone)', () => {
  assert.equal(parseTimestamp(at, 'ts', '1445714994'), 1445714994);
  assert.equal(parseTimestamp(at, 'ts', 1445714994123), 1445714994.123);
  assert.equal(parseTimestamp(at, 'ts', '1445714994123'), 1445714994.123);
  assert.equal(parseTimestamp(at, 'ts', '2020-01-01'), 1577836800);
  assert.equal(parseTimestamp(at, 'ts', '2020-01-01T00:00:10Z'), 1577836810);
  assert.equal(parseTimestamp(at, 'ts', '2020-01-01 00:00:10'), 1577836810);
  assert.equal(parseTimestamp(at, 'ts', '2020-01-01T02:00:00+02:00'), 1577836800);
  assert.equal(parseTimestamp(at, 'ts', '2020-01-01T02:00:00.500+0200'), 1577836800.5);
  assert.match(rowError(() => parseTimestamp(at, 'ts', 'yesterday')).reason, /Unix time or an ISO 8601 date/);
  assert.match(rowError(() => parseTimestamp(at, 'ts', '2020-13-45')).reason, /not a valid date/);
  assert.match(rowError(() => parseTimestamp(at, 'ts', '')).reason, /empty/);
});

test('RowIssues: fail throws the first bad row, skip keeps them as quarantine CSV', () => {
  const bad = new RowError('a.csv', 3, 'rating', 'x,"y"', 'is not a number');
  assert.throws(() => new RowIssues('fail').report(bad, 'raw'), RowError);
  const issues = new RowIssues('skip');
  issues.row('1,2,x', () => {
    throw bad;
  });
  issues.row('fine', () => {});
  assert.equal(issues.count, 1);
  assert.equal(issues.toCsv(), 'file,line,field,value,reason,raw\na.csv,3,rating,"x,""y""",is not a number,"1,2,x"\n');
  // Errors that are not about a row pass through, whatever the policy.
  assert.throws(() => issues.row('r', () => {
    throw new TypeError('bug');
  }), TypeError);
});

/** All records of a text as [fields, line, raw]. */
function records(text: string, delimiter = ',', quote = true, policy: 'fail' | 'skip' = 'fail') {
  const out: [string[], number, string][] = [];
  const issues = new RowIssues(policy);
  forEachRecord(text, 't.csv', { delimiter, quote }, issues, (f, l, r) => out.push([f, l, r]));
  return { out, issues };
}

test('forEachRecord: CRLF, blank lines and physical line numbers without quotes', () => {
  const { out } = records('a,b\r\n1,2\r\n\r\n  \r\n3,\r\n4,5');
  assert.deepEqual(out, [
    [['a', 'b'], 1, 'a,b'],
    [['1', '2'], 2, '1,2'],
    [['3', ''], 5, '3,'],
    [['4', '5'], 6, '4,5'],
  ]);
  assert.deepEqual(records('1::Heat (1995)::Action|Crime\n', '::', false).out, [[['1', 'Heat (1995)', 'Action|Crime'], 1, '1::Heat (1995)::Action|Crime']]);
  // Without quoting, quotes are plain characters (MovieLens '|' files have titles with quotes).
  assert.deepEqual(records('1|"Quote" (1990)|x\n', '|', false).out[0]![0], ['1', '"Quote" (1990)', 'x']);
});

test('forEachRecord: quoted delimiters, doubled quotes and line breaks inside quotes keep line numbers right', () => {
  const text = 'id,title,genres\r\n1,"Shawshank, The (1994)",Drama\r\n2,"Say ""Hi""",x\r\n3,"two\r\nlines",y\r\n4,"",z\r\n';
  const { out } = records(text);
  assert.deepEqual(
    out.map(([f, l]) => [f, l]),
    [
      [['id', 'title', 'genres'], 1],
      [['1', 'Shawshank, The (1994)', 'Drama'], 2],
      [['2', 'Say "Hi"', 'x'], 3],
      [['3', 'two\r\nlines', 'y'], 4],
      [['4', '', 'z'], 6],
    ],
  );
});

test('forEachRecord: an unclosed quote fails, or under skip is quarantined and reading resumes on the next line', () => {
  const text = 'a,b\n1,"oops\n2,3\n';
  assert.throws(() => records(text), (e: unknown) => e instanceof RowError && e.line === 2 && /never closed/.test(e.reason));
  const { out, issues } = records(text, ',', true, 'skip');
  assert.deepEqual(out.map(([f, l]) => [f, l]), [[['a', 'b'], 1], [['2', '3'], 3]]);
  assert.equal(issues.count, 1);
  assert.equal(issues.rows[0]!.raw, '1,"oops');
});
