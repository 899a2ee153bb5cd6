import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RowError, UnirecError } from '../../src/errors.js';
import { loadDataset } from '../../src/data/load.js';
import { readMovieLens100k, readMovieLens1m, readMovieLensLatest, yearFromTitle } from '../../src/data/readers/movielens.js';
import { readSequence } from '../../src/data/readers/sequence.js';
import { TempDir } from './fixtures.js';

const tmp = new TempDir();
after(() => tmp.remove());

const GENRES = ['unknown', 'Action', 'Comedy'];

/** A tiny ml-100k folder: 3 genres, Latin-1 titles, folds u1..u5 over its rows. */
function ml100k(name: string, data: string[], extra: Record<string, string | Buffer> = {}): string {
  const dir = tmp.sub(name);
  tmp.write(`${name}/u.genre`, GENRES.map((g, k) => `${g}|${k}`).join('\n') + '\n\n');
  const items = [
    '1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1',
    '2|Misérables, Les (1995)|01-Jan-1995||http://x|0|1|1',
    '3|unknown||||1|0|0',
    '4|Never Rated (1990)|||http://x|0|1|0',
  ];
  tmp.write(`${name}/u.item`, Buffer.from(items.join('\n') + '\n', 'latin1'));
  tmp.write(`${name}/u.user`, '1|24|M|technician|85711\n2|53|F|other|T8H1N\n3|30|F|writer|10001\n');
  tmp.write(`${name}/u.data`, data.join('\n') + '\n');
  for (const [file, content] of Object.entries(extra)) tmp.write(`${name}/${file}`, content);
  return dir;
}

const DATA = ['1\t1\t5\t881250949', '1\t2\t3\t881250950', '2\t1\t4\t881250951', '2\t3\t1\t881250952', '3\t2\t2\t881250953'];

test('ml-100k: ratings, Latin-1 titles, genres from u.genre, year, user attributes, catalogue items', async () => {
  const ds = await readMovieLens100k(ml100k('ml-a', DATA));
  assert.equal(ds.source, 'ml-100k');
  assert.equal(ds.name, 'ml-a');
  assert.equal(ds.interactions.length, 5);
  assert.equal(ds.users.size, 3);
  assert.equal(ds.items.size, 4, 'item 4 has no ratings but is in the catalogue');
  assert.ok(ds.hasRatings && ds.hasTime);
  assert.deepEqual([...ds.interactions.value], [5, 3, 4, 1, 2]);
  assert.equal(ds.interactions.ts[0], 881250949);
  const t = ds.itemTable!;
  assert.equal(t.title(ds.items.get('2')), 'Misérables, Les (1995)');
  assert.deepEqual(t.describe(ds.items.get('2')), { title: 'Misérables, Les (1995)', genres: ['Action', 'Comedy'], year: 1995 });
  assert.deepEqual(t.describe(ds.items.get('3')), { title: 'unknown', genres: ['unknown'] }, 'no date, no year');
  assert.equal(t.describe(ds.items.get('4')).year, 1990, 'year from the title when the date is empty');
  assert.deepEqual(ds.userTable!.describe(ds.users.get('1')), { age: 24, gender: 'M', occupation: 'technician', zip: '85711', region: '8' });
  assert.equal(ds.userTable!.describe(ds.users.get('2')).region, undefined, 'a Canadian zip has no US region');
  assert.equal(ds.folds, undefined, 'no u1..u5.test files, no folds');
  assert.equal(ds.notes.length, 1, ds.notes.join('\n'));
  assert.match(ds.notes[0]!, /^1 item appears only in .*u\.item, in no interaction \(e\.g\. 4\): kept as cold items/);
});

test('ml-100k: publisher folds are mapped to interaction rows by (user, item)', async () => {
  const folds = { 'u1.test': `${DATA[3]}\n${DATA[0]}\n`, 'u2.test': `${DATA[1]}\n`, 'u3.test': `${DATA[2]}\n`, 'u4.test': `${DATA[4]}\n`, 'u5.test': '' };
  const ds = await readMovieLens100k(ml100k('ml-folds', DATA, folds));
  assert.deepEqual(ds.folds?.map((f) => [...f]), [[0, 3], [1], [2], [4], []]);

  const partial = await readMovieLens100k(ml100k('ml-folds-partial', DATA, { 'u1.test': `${DATA[0]}\n` }));
  assert.equal(partial.folds, undefined);
  assert.match(partial.notes.join('\n'), /publisher folds not set: u2\.test, u3\.test, u4\.test, u5\.test missing/);

  const stray = await readMovieLens100k(ml100k('ml-folds-stray', DATA, { ...folds, 'u5.test': '3\t1\t4\t1\n' }));
  assert.equal(stray.folds, undefined);
  assert.match(stray.notes.join('\n'), /1 rows of u5\.test are not in u\.data/);
});

test('ml-100k: ids in u.data missing from u.item/u.user are kept, with a note counting them', async () => {
  const ds = await readMovieLens100k(ml100k('ml-unknown', [...DATA, '9\t77\t4\t881250960', '9\t78\t4\t881250961']));
  assert.equal(ds.items.size, 6);
  assert.equal(ds.users.size, 4);
  assert.equal(ds.itemTable!.size, 6);
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('77')), {}, 'no attributes');
  assert.ok(ds.notes.some((n) => /^2 items in .*u\.data have no row in .*u\.item: kept, without attributes$/.test(n)), ds.notes.join('\n'));
  assert.ok(ds.notes.some((n) => /^1 user in .*u\.data have no row in .*u\.user/.test(n)), ds.notes.join('\n'));
});

test('bad rows: fail throws the first RowError with file, line, field and value', async () => {
  const cases: [string, string, string, RegExp][] = [
    ['1\t2\tx\t881250950', 'rating', 'x', /not a number/],
    ['1\t2\t6\t881250950', 'rating', '6', /outside the range 1\.\.5/],
    ['1\t2\t3\tNaN', 'timestamp', 'NaN', /finite/],
    ['1\t2\t3\tInfinity', 'timestamp', 'Infinity', /finite/],
    ['\t2\t3\t881250950', 'user_id', '', /empty/],
    ['1\t2\t3', '(row)', '1\t2\t3', /has 3 fields, expected 4/],
  ];
  for (const [k, [row, field, value, reason]] of cases.entries()) {
    const dir = ml100k(`ml-bad-${k}`, [DATA[0]!, DATA[1]!, row, DATA[2]!]);
    await assert.rejects(readMovieLens100k(dir), (e: unknown) => {
      assert.ok(e instanceof RowError, String(e));
      assert.equal(e.file, join(dir, 'u.data'));
      assert.equal(e.line, 3);
      assert.equal(e.field, field);
      assert.equal(e.value, value);
      assert.match(e.reason, reason);
      return true;
    });
  }
});

test('bad rows: skip loads the good rows, writes the quarantine and notes the count', async () => {
  const dir = ml100k('ml-skip', [DATA[0]!, '1\t2\tfive\t881250950', DATA[1]!, '2\t3\t9\t881250952', DATA[2]!]);
  const quarantinePath = join(tmp.path, 'q-skip.csv');
  const ds = await readMovieLens100k(dir, { onError: 'skip', quarantinePath });
  assert.equal(ds.interactions.length, 3);
  assert.ok(ds.notes.includes(`skipped 2 bad rows; they are listed in ${quarantinePath}`), ds.notes.join('\n'));
  const file = join(dir, 'u.data');
  assert.equal(
    readFileSync(quarantinePath, 'utf8'),
    'file,line,field,value,reason,raw\n' +
      `${file},2,rating,five,is not a number,1\t2\tfive\t881250950\n` +
      `${file},4,rating,9,is outside the range 1..5,2\t3\t9\t881250952\n`,
  );
});

test('bad rows in item/user files: duplicate ids and bad flags are RowErrors; skip drops just those rows', async () => {
  const dir = ml100k('ml-dup', DATA, { 'u.item': '1|A (1990)|||x|0|0|1\n1|B (1991)|||x|0|0|1\n2|C (1992)|||x|0|2|1\n3|D (1993)|||x|0|0|0\n' });
  await assert.rejects(readMovieLens100k(dir), (e: unknown) => e instanceof RowError && e.line === 2 && e.field === 'movie_id' && /repeats the id of line 1/.test(e.reason));
  const quarantinePath = join(tmp.path, 'q-dup.csv');
  const ds = await readMovieLens100k(dir, { onError: 'skip', quarantinePath });
  assert.equal(ds.itemTable!.title(ds.items.get('1')), 'A (1990)');
  assert.equal(ds.itemTable!.title(ds.items.get('2')), undefined, 'the row with flag 2 was dropped');
  assert.match(readFileSync(quarantinePath, 'utf8'), /u\.item,3,Action,2,must be 0 or 1,/);
});

test('empty interactions file: a clear error; only bad rows under skip: the same error, after the quarantine', async () => {
  await assert.rejects(readMovieLens100k(ml100k('ml-empty', [])), /^UnirecError: no interactions in .*u\.data$/);
  const quarantinePath = join(tmp.path, 'q-allbad.csv');
  await assert.rejects(readMovieLens100k(ml100k('ml-allbad', ['x']), { onError: 'skip', quarantinePath }), /no interactions in .*every row was bad/);
  assert.ok(existsSync(quarantinePath));
});

test('ml-latest-small format: UTF-8 BOM, CRLF, quoted titles, no-genre movies, lowercased tags, catalogue', async () => {
  const dir = tmp.sub('latest');
  tmp.write('latest/ratings.csv', '\uFEFFuserId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,0.5,964981247\r\n2,1,5.0,964982224\r\n2,99,3.5,964982225\r\n');
  tmp.write(
    'latest/movies.csv',
    'movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n2,"Shawshank Redemption, The (1994)",Crime|Drama\r\n' +
      '3,"Babylon 5 (1994)",(no genres listed)\r\n4,"Crêpe ""Deluxe"" (2005)",Comedy\r\n',
  );
  tmp.write('latest/tags.csv', 'userId,movieId,tag,timestamp\r\n2,1,  Pixar ,1445714994\r\n2,1,"funny, really",1445714996\r\n2,2,pixar,1445714997\r\n');
  const ds = await loadDataset(dir);
  assert.equal(ds.source, 'ml-latest-small');
  assert.equal(ds.interactions.length, 4);
  assert.equal(ds.users.size, 2);
  assert.equal(ds.items.size, 5, '4 movies in movies.csv (2 unrated) + movie 99 that only has a rating');
  assert.deepEqual([...ds.interactions.value], [4, 0.5, 5, 3.5]);
  const t = ds.itemTable!;
  assert.deepEqual(t.describe(ds.items.get('1')), { title: 'Toy Story (1995)', genres: ['Adventure', 'Animation'], year: 1995, tags: ['pixar', 'funny, really'] });
  assert.equal(t.title(ds.items.get('2')), 'Shawshank Redemption, The (1994)');
  assert.equal(t.describe(ds.items.get('3')).genres, undefined, '(no genres listed) is no genre');
  assert.equal(t.title(ds.items.get('4')), 'Crêpe "Deluxe" (2005)');
  assert.match(ds.notes.join('\n'), /1 item in .*ratings\.csv have no row in .*movies\.csv/);

  tmp.write('latest/ratings.csv', 'userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,5.5,964981247\r\n');
  await assert.rejects(loadDataset(dir), (e: unknown) => e instanceof RowError && e.line === 3 && /0\.5\.\.5/.test(e.reason));
});

test('missing files: a missing ratings file and a missing path are named; an unknown folder lists what was looked for', async () => {
  const dir = tmp.sub('no-ratings');
  tmp.write('no-ratings/movies.csv', 'movieId,title,genres\n1,A (1990),Drama\n');
  await assert.rejects(readMovieLensLatest(dir), new RegExp(`no such interactions file: ${join(dir, 'ratings.csv').replace(/[.]/g, '\\.')}`));
  await assert.rejects(loadDataset(join(tmp.path, 'nothing-here')), /^UnirecError: no such file or folder: .*nothing-here$/);
  const odd = tmp.sub('odd');
  tmp.write('odd/stuff.csv', 'a,b\n');
  await assert.rejects(loadDataset(odd), (e: unknown) => e instanceof UnirecError && /looked for unirec\.json .*u\.data .*ratings\.csv \+ movies\.csv .*movies\.dat.*<Name>\.txt.*found stuff\.csv/.test(e.message));
});

test('ml-1m format: "::" Latin-1 files, age and occupation codes, ratings.dat', async () => {
  const dir = tmp.sub('ml1m');
  tmp.write('ml1m/users.dat', '1::F::1::10::48067\n2::M::56::16::70072\n');
  tmp.write('ml1m/movies.dat', Buffer.from('1::Toy Story (1995)::Animation|Comedy\n2::Kådisbellan (1993)::Drama\n5::Unrated (1999)::Drama\n', 'latin1'));
  tmp.write('ml1m/ratings.dat', '1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n');
  const ds = await loadDataset(dir);
  assert.equal(ds.source, 'ml-1m');
  assert.ok(ds.hasRatings && ds.hasTime);
  assert.equal(ds.items.size, 3);
  assert.equal(ds.itemTable!.title(ds.items.get('2')), 'Kådisbellan (1993)');
  assert.deepEqual(ds.userTable!.describe(ds.users.get('1')), { gender: 'F', age: 1, age_group: 'Under 18', occupation: 'K-12 student', zip: '48067', region: '4' });
  tmp.write('ml1m/users.dat', '1::F::2::10::48067\n');
  await assert.rejects(readMovieLens1m(dir), (e: unknown) => e instanceof RowError && e.field === 'Age' && /not an age code/.test(e.reason));
});

test('yearFromTitle', () => {
  assert.equal(yearFromTitle('Heat (1995)'), 1995);
  assert.equal(yearFromTitle('Babylon 5 (1994-1998) '), 1994);
  assert.ok(Number.isNaN(yearFromTitle('unknown')));
});

test('sequence folder: positions as time, attributes, catalogue items, duplicate users', async () => {
  const dir = tmp.sub('amazon-toy');
  tmp.write('amazon-toy/README.txt', 'not the data\n');
  tmp.write('amazon-toy/Toy.txt', '1 1 2 3\n2 2 4\n3 5 1 2 4 3\n');
  tmp.write('amazon-toy/Toy_item2attributes.json', '{"1": [1, 2], "2": [2, 2], "3": [3], "4": [1], "5": [4], "6": [5]}');
  const ds = await loadDataset(dir);
  assert.equal(ds.source, 'sequence');
  assert.equal(ds.name, 'amazon-toy');
  assert.equal(ds.interactions.length, 10);
  assert.equal(ds.users.size, 3);
  assert.equal(ds.items.size, 6, 'item 6 is only in the attributes file');
  assert.ok(ds.hasTime && !ds.hasRatings);
  assert.deepEqual([...ds.interactions.ts], [0, 1, 2, 0, 1, 0, 1, 2, 3, 4]);
  assert.deepEqual([...ds.interactions.value], new Array(10).fill(1));
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('2')), { attributes: ['2'] }, 'a repeated attribute counts once');
  assert.equal(ds.notes.length, 1, ds.notes.join('\n'));
  assert.match(ds.notes[0]!, /^1 item appears only in .*Toy_item2attributes\.json, in no interaction \(e\.g\. 6\)/);
  const dropped = await loadDataset(dir, { catalogueOnly: 'drop' });
  assert.equal(dropped.items.size, 5, 'item 6 dropped');
  assert.equal(dropped.itemTable!.size, 5);
  assert.equal(dropped.items.get('6'), -1);
  assert.deepEqual(dropped.itemTable!.describe(dropped.items.get('5')), ds.itemTable!.describe(ds.items.get('5')), 'rows follow their ids');
  assert.match(dropped.notes.join('\n'), /dropped \(catalogueOnly drop\)/);

  const file = tmp.write('seq/Dup.txt', '1 1 2\n2 2\n1 3\n');
  await assert.rejects(readSequence(file), (e: unknown) => e instanceof RowError && e.line === 3 && /already has a sequence on line 1/.test(e.reason));
  const ok = await readSequence(tmp.write('seq/Plain.txt', '1 1 2\n'));
  assert.equal(ok.name, 'Plain');
  assert.match(ok.notes.join(), /no Plain_item2attributes\.json/);
});
