import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { assertCleanFailure as cleanFailure, unirec } from '../helpers/cli.js';

/** Data errors name file, line and field: they may take more than the usual three lines. */
const assertCleanFailure = (r: ReturnType<typeof unirec>, pattern: RegExp) => cleanFailure(r, pattern, Infinity);

/** README "Your own data" through the command line, on the fixtures in test/fixtures/own-data. */
const FIXTURES = resolve(process.cwd(), 'test/fixtures/own-data');
const lastfm = join(FIXTURES, 'lastfm');

test('music-service layout from one JSON config: content on cold items uses the tag names (and beats random)', () => {
  const run = (model: string) => {
    const r = unirec('evaluate', '--data', lastfm, '--model', model, '--protocol', 'cold-items', '--k', '10', '--json');
    assert.equal(r.code, 0, r.stderr);
    return { report: JSON.parse(r.stdout), stderr: r.stderr };
  };
  const content = run('content');
  assert.deepEqual(content.report.data, { users: 40, items: 62, interactions: 280 });
  assert.equal(content.report.cold.items, 6);
  assert.match(content.stderr, /note: value column "weight" read as counts/);
  assert.match(content.stderr, /note: counts as confidence 1 \+ ln\(count\)/);
  assert.match(content.stderr, /note: 2 items appear only in .*artists\.dat/);
  const random = run('random');
  // measured at seed 42: content 0.91, random 0.56 (6 cold artists, 4 genres told apart by their tags only)
  assert.ok(content.report.metrics['ndcg@10'] > random.report.metrics['ndcg@10'] + 0.2, `${content.report.metrics['ndcg@10']} vs ${random.report.metrics['ndcg@10']}`);
  // the features are the tag names from tags.dat, decoded from Latin-1
  const why = unirec('explain', '--data', lastfm, '--model', 'content', '--user', '2', '--item', '59');
  assert.equal(why.code, 0, why.stderr);
  assert.match(why.stdout, /^59 {2}Gal Costa for user 2/m);
  assert.match(why.stdout, /tag: tropicália \(\d+% of the match\)/);
  const dropped = unirec('evaluate', '--data', lastfm, '--model', 'popularity', '--catalogue-only', 'drop', '--dedupe', 'none', '--json');
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.equal(JSON.parse(dropped.stdout).data.items, 60);
  assert.match(dropped.stderr, /: dropped \(catalogueOnly drop\)/);
});

test('--columns sets format, delimiter, encoding and valueKind for a single file; bad values fail cleanly', () => {
  const plays = join(lastfm, 'user_artists.dat');
  const ok = unirec('evaluate', '--data', plays, '--columns', 'user=userID,item=artistID,value=weight,valueKind=count,format=tsv', '--model', 'popularity', '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).data, { users: 40, items: 60, interactions: 280 });
  const noFormat = unirec('evaluate', '--data', plays, '--columns', 'user=userID,item=artistID', '--model', 'popularity');
  assertCleanFailure(noFormat, /cannot tell the format of .*user_artists\.dat from its extension: set "format"/);
  const badEncoding = unirec('evaluate', '--data', plays, '--columns', 'user=userID,item=artistID,format=tsv,encoding=ascii', '--model', 'popularity');
  assertCleanFailure(badEncoding, /invalid column mapping in --columns:\n {2}interactions\.encoding: .*"utf8".*"latin1".*"windows-1252"/);
  const badKey = unirec('evaluate', '--data', plays, '--columns', 'user=userID,quote=no', '--model', 'popularity');
  assertCleanFailure(badKey, /--columns: "quote=no" is not key=value with key one of user, item, value, ts, format, delimiter, encoding, valueKind/);
  // a Latin-1 file read as UTF-8: file, line, byte offset and the option to set
  const artists = join(lastfm, 'artists.dat');
  const latin = unirec('evaluate', '--data', artists, '--columns', 'user=url,item=id,format=tsv', '--model', 'popularity');
  assertCleanFailure(latin, /artists\.dat:\d+: not valid UTF-8 at byte offset \d+ .*encoding=latin1 in --columns/);
  const semicolon = unirec('evaluate', '--data', join(FIXTURES, 'shop', 'items.csv'), '--columns', 'user=brand,item=sku,delimiter=semicolon,encoding=windows-1252', '--model', 'popularity', '--on-error', 'skip', '--quarantine', join(tmpdir(), `unirec-q-${process.pid}.csv`), '--json');
  assert.equal(semicolon.code, 0, semicolon.stderr);
  assert.equal(JSON.parse(semicolon.stdout).data.interactions, 7, 'the gift card has no brand: quarantined');
});

test('the friends relation reaches a model: social scores users held out whole from their friends (cold-users)', () => {
  const run = (model: string) => {
    const r = unirec('evaluate', '--data', lastfm, '--model', model, '--protocol', 'cold-users', '--k', '10', '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).metrics['ndcg@10'] as number;
  };
  // measured at seed 42: social 0.52, popularity 0.20 (friends share a favourite genre in the fixture)
  const social = run('social');
  const popularity = run('popularity');
  assert.ok(social > popularity + 0.15, `${social} vs ${popularity}`);
});
