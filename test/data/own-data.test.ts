import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { readGeneric, readGenericMapping } from '../../src/data/readers/generic.js';
import { decodeText, firstInvalidUtf8 } from '../../src/data/readers/text.js';
import { splitLoo } from '../../src/data/splits.js';
import { RowError, UnirecError } from '../../src/errors.js';
import { itemFeatures } from '../../src/features/item.js';
import { TempDir } from './fixtures.js';

/** The fixtures of README "Your own data" (test/fixtures/own-data), read from the source tree. */
const FIXTURES = resolve(process.cwd(), 'test/fixtures/own-data');
const tmp = new TempDir();
after(() => tmp.remove());

/** A copy of the lastfm fixture in a temp folder, with the config changed by `edit`, for the error cases. */
function lastfm(name: string, edit: (config: Record<string, any>) => void, files: Record<string, string | Buffer> = {}): string {
  for (const f of ['user_artists.dat', 'artists.dat', 'user_taggedartists.dat', 'tags.dat', 'user_friends.dat']) {
    tmp.write(`${name}/${f}`, files[f] ?? readFileSync(join(FIXTURES, 'lastfm', f)));
  }
  const config = JSON.parse(readFileSync(join(FIXTURES, 'lastfm', 'unirec.json'), 'utf8'));
  edit(config);
  return tmp.write(`${name}/unirec.json`, JSON.stringify(config));
}

test('music-service layout: Latin-1 .dat TSVs, play counts, (user, artist, tag) rows joined to tag names, friends', async () => {
  const ds = await loadDataset(join(FIXTURES, 'lastfm'));
  assert.equal(ds.name, 'lastfm-mini');
  assert.equal(ds.interactions.length, 280);
  assert.equal(ds.valueKind, 'count');
  assert.ok(!ds.hasRatings, 'play counts are not ratings');
  assert.equal(ds.items.size, 62, '60 played artists + 2 only in artists.dat');
  const t = ds.itemTable!;
  assert.equal(t.title(ds.items.get('140')), 'Mötley Crüe', 'Latin-1 title');
  // artist 50 (Caetano Veloso) was tagged "tropicália" (tag 1) by 3 users
  const tags = t.get('tags')!;
  assert.equal(tags.kind, 'multi');
  const row = ds.items.get('50');
  const labels = t.describe(row).tags as string[];
  assert.equal(labels[0], 'tropicália', 'the heaviest tag first, named through tags.dat');
  if (tags.kind !== 'multi') return;
  const weights = Array.from(tags.weights!.subarray(tags.indptr[row]!, tags.indptr[row + 1]!));
  const rows = readFileSync(join(FIXTURES, 'lastfm', 'user_taggedartists.dat'), 'latin1').split('\n').filter((l) => /^\d+\t50\t1\t/.test(l));
  assert.equal(weights[0], rows.length, 'weight = number of (user, artist, tag) rows');
  assert.ok(rows.length >= 2);
  // friends: a symmetric relation, exposed on the dataset and as the user attribute "friends"
  const rel = ds.relation!;
  assert.equal(rel.name, 'friends');
  assert.ok(rel.symmetric);
  const u2 = ds.users.get('2');
  const friends = Array.from(rel.graph.rowIndices(u2), (v) => ds.users.external(v));
  assert.ok(friends.length >= 2);
  for (const f of friends) assert.ok(Array.from(rel.graph.rowIndices(ds.users.get(f))).includes(u2), 'both ways');
  assert.deepEqual([...(ds.userTable!.describe(u2).friends as string[])].sort(), [...friends].sort());
  const notes = ds.notes.join('\n');
  assert.match(notes, /value column "weight" read as counts .*valueKind "count"/);
  assert.match(notes, /1 row of .*user_taggedartists\.dat name 1 item id found in no interactions or items file \(e\.g\. 777\): ignored/);
  assert.match(notes, /2 items appear only in .*artists\.dat, in no interaction \(e\.g\. 900, 901\): kept as cold items/);

  // cleaning: counts are summed per pair, then become 1 + ln(count), not a rating scale
  const clean = cleanDataset(ds);
  assert.equal(clean.valueKind, 'weight');
  const max = Math.max(...ds.interactions.value);
  assert.ok(Math.max(...clean.interactions.value) <= 1 + Math.log(max) + 1e-5);
  const r0 = ds.interactions.value[0]!;
  assert.ok(Math.abs(clean.interactions.value[0]! - (r0 >= 1 ? 1 + Math.log(r0) : r0)) < 1e-5);
  assert.match(clean.notes.join('\n'), /counts as confidence 1 \+ ln\(count\)/);

  // the tag weights reach the features: heavier tags weigh more in the item vector
  const f = itemFeatures(clean.itemTable!);
  const names = f.names;
  const vec = new Map<string, number>();
  for (let k = f.matrix.indptr[row]!; k < f.matrix.indptr[row + 1]!; k++) vec.set(names[f.matrix.indices[k]!]!, f.matrix.data[k]!);
  assert.ok(vec.has('tag: tropicália'), [...vec.keys()].join(', '));

  // catalogue hygiene: drop the ids only in artists.dat
  const dropped = await loadDataset(join(FIXTURES, 'lastfm'), { catalogueOnly: 'drop' });
  assert.equal(dropped.items.size, 60);
  assert.equal(dropped.items.get('900'), -1);
  assert.equal(dropped.itemTable!.title(dropped.items.get('140')), 'Mötley Crüe');
  assert.match(dropped.notes.join('\n'), /2 items appear only in .*: dropped/);
});

test('encoding: bytes that are not UTF-8 are an error naming file, line, byte offset and the encoding option', async () => {
  const config = lastfm('no-encoding', (c) => delete c.items.encoding);
  await assert.rejects(readGeneric(config), (e: unknown) => {
    assert.ok(e instanceof UnirecError);
    const text = readFileSync(join(FIXTURES, 'lastfm', 'artists.dat'));
    const at = firstInvalidUtf8(text);
    const line = text.subarray(0, at).toString('latin1').split('\n').length;
    assert.match(e.message, new RegExp(`artists\\.dat:${line}: not valid UTF-8 at byte offset ${at} \\(bytes 0x[0-9a-f]{2}`));
    assert.match(e.message, /"encoding": "latin1"/);
    return true;
  });
  // the lookup table too: its own encoding key
  await assert.rejects(readGeneric(lastfm('lookup-encoding', (c) => delete c.itemAttributes.lookup.encoding)), /tags\.dat:2: not valid UTF-8 at byte offset 23 /);
  // a BOM still means UTF-8, whatever the config says; valid UTF-8 decodes as before
  assert.equal(decodeText(Buffer.from('\ufeffcafé', 'utf8'), 'x', 'latin1'), 'café');
  assert.equal(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9]), 'x'), 'café');
  assert.throws(() => decodeText(Buffer.from('ok\nab\xe9', 'latin1'), 'f.csv'), /^UnirecError: f\.csv:2: not valid UTF-8 at byte offset 5 \(bytes 0xe9, after "ab"\)/);
  assert.throws(() => decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0xff]), 'g.csv', 'latin1'), /g\.csv:1: not valid UTF-8 at byte offset 4 /, 'offsets count the BOM');
  assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0, 'a surrogate is not UTF-8');
  assert.equal(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80])), 1, 'an overlong form is not UTF-8');
  assert.equal(firstInvalidUtf8(Buffer.from('añ€😀', 'utf8')), 10);
  assert.equal(decodeText(Buffer.from([0x93, 0x41, 0x94, 0x80, 0xe9]), 'x', 'windows-1252'), '“A”€é');
  assert.equal(decodeText(Buffer.from('\ufeffu,i\nü,x\n', 'utf16le'), 'x'), 'u,i\nü,x\n', 'UTF-16LE with its BOM');
  assert.equal(decodeText(Buffer.from([0xfe, 0xff, 0x00, 0xfc]), 'x', 'latin1'), 'ü', 'UTF-16BE with its BOM');
});

test('long-format tables: malformed rows, lookup misses and kind clashes name file, line and field', async () => {
  const tagged = 'userID\tartistID\ttagID\tday\tmonth\tyear\n2\t50\t1\t1\t1\t2009\n2\t53\t42\t1\t1\t2009\n';
  await assert.rejects(readGeneric(lastfm('miss', () => {}, { 'user_taggedartists.dat': tagged })), (e: unknown) => {
    assert.ok(e instanceof RowError);
    assert.match(e.file, /user_taggedartists\.dat$/);
    assert.equal(e.line, 3);
    assert.equal(e.field, 'tagID');
    assert.equal(e.value, '42');
    assert.match(e.reason, /has no row in the lookup table .*tags\.dat/);
    return true;
  });
  // skip quarantines the row and keeps the rest
  const skipped = await readGeneric(lastfm('miss-skip', () => {}, { 'user_taggedartists.dat': tagged }), { onError: 'skip', quarantinePath: join(tmp.path, 'q.csv') });
  assert.deepEqual(skipped.itemTable!.describe(skipped.items.get('50')).tags, ['tropicália']);
  assert.equal(skipped.itemTable!.describe(skipped.items.get('53')).tags, undefined);
  const empty = 'userID\tartistID\ttagID\tday\tmonth\tyear\n2\t\t1\t1\t1\t2009\n';
  await assert.rejects(readGeneric(lastfm('empty-id', () => {}, { 'user_taggedartists.dat': empty })), /user_taggedartists\.dat:2: field "artistID" is empty/);
  const short = 'userID\tartistID\ttagID\tday\tmonth\tyear\n2\t50\t1\n';
  await assert.rejects(readGeneric(lastfm('short', () => {}, { 'user_taggedartists.dat': short })), /user_taggedartists\.dat:2: field "\(row\)" has 3 fields, expected 6/);
  // weights: a column of positive numbers
  const weighted = (c: Record<string, any>) => (c.itemAttributes.weight = 'day');
  const zero = 'userID\tartistID\ttagID\tday\tmonth\tyear\n2\t50\t1\t0\t1\t2009\n';
  await assert.rejects(readGeneric(lastfm('zero', weighted, { 'user_taggedartists.dat': zero })), /user_taggedartists\.dat:2: field "day" must be a positive weight \(value: "0"\)/);
  const sums = 'userID\tartistID\ttagID\tday\tmonth\tyear\n2\t50\t1\t3\t1\t2009\n4\t50\t1\t2.5\t1\t2009\n4\t50\t5\t1\t1\t2009\n';
  const ws = await readGeneric(lastfm('sums', weighted, { 'user_taggedartists.dat': sums }));
  const col = ws.itemTable!.get('tags')!;
  assert.ok(col.kind === 'multi');
  const r = ws.items.get('50');
  if (col.kind === 'multi') assert.deepEqual(Array.from(col.weights!.subarray(col.indptr[r]!, col.indptr[r + 1]!)), [5.5, 1]);
  // the lookup table: repeated ids and empty names
  await assert.rejects(readGeneric(lastfm('dup-key', () => {}, { 'tags.dat': 'tagID\ttagValue\n1\ta\n2\tb\n1\tc\n' })), /tags\.dat:4: field "tagID" repeats the id of line 2/);
  await assert.rejects(readGeneric(lastfm('no-name', () => {}, { 'tags.dat': 'tagID\ttagValue\n1\t \n' })), /tags\.dat:2: field "tagValue" is empty \(a name is required\)/);
  await assert.rejects(readGeneric(lastfm('lookup-col', (c) => (c.itemAttributes.lookup.value = 'name'))), /tags\.dat: no column "name" in the header \(found: tagID, tagValue\)/);
  // a long table cannot pour labels into a column of another kind
  await assert.rejects(
    readGeneric(lastfm('clash', (c) => (c.itemAttributes.name = 'title'))),
    /user_taggedartists\.dat:2: field "tagID" names the items' column "title", which is not multi-valued/,
  );
  // config errors
  await assert.rejects(readGeneric(lastfm('cfg', (c) => delete c.itemAttributes.attribute)), /invalid column mapping in .*unirec\.json:\n {2}itemAttributes\.0\.attribute: /);
  await assert.rejects(readGeneric(lastfm('cfg2', (c) => (c.itemAttributes.lookup.keys = 'x'))), /itemAttributes\.0\.lookup: Unrecognized key: "keys"/);
  await assert.rejects(readGeneric(lastfm('cfg3', (c) => (c.catalogueOnly = 'purge'))), /invalid column mapping in .*\n {2}catalogueOnly: .*"keep".*"drop"/);
  await assert.rejects(readGeneric(lastfm('cfg4', (c) => (c.relations.symmetric = 'yes'))), /\n {2}relations\.symmetric: /);
  await assert.rejects(readGeneric(lastfm('cfg5', (c) => (c.items.encoding = 'cp1252'))), /\n {2}items\.encoding: .*"windows-1252"/);
});

test('entity-attribute-value rows, JSONL events with ISO dates and catalogueOnly drop (the clicks fixture)', async () => {
  const ds = await loadDataset(join(FIXTURES, 'clicks'));
  assert.equal(ds.name, 'clicks');
  assert.ok(ds.hasTime && !ds.hasRatings);
  assert.equal(ds.interactions.ts[0], Date.parse(readFirstJson(join(FIXTURES, 'clicks', 'events.jsonl')).at) / 1000);
  assert.deepEqual(ds.userTable!.describe(ds.users.get('chloé')), { country: ['FR'], language: ['fr'] });
  assert.equal(ds.items.get('p99'), -1, 'catalogueOnly drop in the config');
  assert.match(ds.notes.join('\n'), /appear only in .*products\.jsonl, in no interaction \(e\.g\. .*p99\): dropped/);
  assert.equal((await loadDataset(join(FIXTURES, 'clicks'), { catalogueOnly: 'keep' })).items.get('p99') >= 0, true, 'the option wins over the config');
  // an EAV row without its attribute name is a bad row
  tmp.write('eav/events.jsonl', '{"user": "a", "item": "x"}\n');
  tmp.write('eav/props.jsonl', '{"user": "a", "key": "country", "value": "FR"}\n{"user": "a", "value": "DE"}\n');
  const eav = { interactions: { path: 'events.jsonl', user: 'user', item: 'item' }, userAttributes: [{ path: 'props.jsonl', id: 'user', attribute: 'key', value: 'value' }] };
  await assert.rejects(readGenericMapping(eav, join(tmp.path, 'eav')), /props\.jsonl:2: field "key" is empty \(an id is required\)/);
});

function readFirstJson(file: string): Record<string, string> {
  return JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!);
}

test('valueKind: counts, weights and ratings; the assumed kind is noted, suspicious ratings flagged', async () => {
  const base = join(tmp.path, 'vk');
  tmp.write('vk/plays.csv', 'u,i,n\na,x,3\na,x,4\nb,y,352698\nb,x,0\n');
  const counts = await readGenericMapping({ interactions: { path: 'plays.csv', user: 'u', item: 'i', value: 'n', valueKind: 'count' } }, base);
  assert.equal(counts.interactions.length, 3, 'a count of 0 is no event');
  assert.match(counts.notes.join('\n'), /1 row with count 0 left out/);
  const clean = cleanDataset(counts);
  assert.equal(clean.interactions.length, 2, 'repeated counts are summed by default');
  assert.ok(Math.abs(clean.interactions.value[0]! - (1 + Math.log(7))) < 1e-5);
  assert.match(clean.notes.join('\n'), /dedupe \(sum\)/);
  const assumed = await readGenericMapping({ interactions: { path: 'plays.csv', user: 'u', item: 'i', value: 'n' } }, base);
  assert.ok(assumed.hasRatings);
  assert.match(assumed.notes.join('\n'), /read as explicit ratings .*: assumed; values go up to 352698, which looks like counts rather than ratings; set "valueKind"/);
  const weights = await readGenericMapping({ interactions: { path: 'plays.csv', user: 'u', item: 'i', value: 'n', valueKind: 'weight' } }, base);
  assert.ok(!weights.hasRatings);
  assert.equal(cleanDataset(weights, { dedupe: 'last' }).interactions.value[1], 352698, 'weights are used as they are');
  tmp.write('vk/neg.csv', 'u,i,n\na,x,-1\n');
  await assert.rejects(readGenericMapping({ interactions: { path: 'neg.csv', user: 'u', item: 'i', value: 'n', valueKind: 'count' } }, base), /neg\.csv:2: field "n" is negative \(a count cannot be\)/);
  await assert.rejects(readGenericMapping({ interactions: { path: 'plays.csv', user: 'u', item: 'i', valueKind: 'count' } }, base), /valueKind "count" is set but no value column is mapped/);
  await assert.rejects(readGenericMapping({ interactions: { path: 'plays.csv', user: 'u', item: 'i', value: 'n', valueKind: 'count', explicit: true } }, base), /explicit true contradicts valueKind "count"/);
});

test('dedupe none keeps repeats: loo tests the literal last event; matrices hold each pair once', async () => {
  tmp.write('rep/e.csv', 'u,i,t\na,x,1\na,y,2\na,x,3\na,x,4\nb,y,1\nb,z,2\n');
  const ds = await readGenericMapping({ interactions: { path: 'e.csv', user: 'u', item: 'i', ts: 't' } }, join(tmp.path, 'rep'));
  const kept = cleanDataset(ds, { dedupe: 'none' });
  assert.equal(kept.interactions.length, 6);
  assert.match(kept.notes.join('\n'), /dedupe none: kept 2 repeated \(user, item\) events/);
  const split = splitLoo(kept.interactions, kept.users.size);
  assert.deepEqual([...split.test].sort(), [3, 5], "a's test is its last event (x at t=4), a repeat");
  assert.deepEqual([...split.valid], [2]);
  const deduped = cleanDataset(ds);
  assert.equal(deduped.interactions.length, 4);
  const train = makeTrainData(kept.interactions, kept.users.size, kept.items.size);
  const a = kept.users.get('a');
  assert.deepEqual([...train.byUser.rowIndices(a)], [kept.items.get('x'), kept.items.get('y')], 'each pair once');
  assert.deepEqual([...train.byUser.rowData(a)], [3, 1], 'implicit repeats summed');
  assert.equal(train.interactions.length, 6, 'every event stays for sequence models');
  assert.equal(train.byItem.get(kept.items.get('x'), a), 3);
  const rated = makeTrainData(kept.interactions, kept.users.size, kept.items.size, { hasRatings: true });
  assert.deepEqual([...rated.byUser.rowData(a)], [1, 1], 'ratings: the later one');
});

test('user-user relation: malformed rows name file, line and field; unknown users are noted', async () => {
  const bad = 'userID\tfriendID\n2\t10\n4\t4\n';
  await assert.rejects(readGeneric(lastfm('self', () => {}, { 'user_friends.dat': bad })), (e: unknown) => e instanceof RowError && e.line === 3 && e.field === 'friendID' && /same user as "userID"/.test(e.reason));
  await assert.rejects(readGeneric(lastfm('blank', () => {}, { 'user_friends.dat': 'userID\tfriendID\n2\t\n' })), /user_friends\.dat:2: field "friendID" is empty/);
  const directed = await readGeneric(
    lastfm('follows', (c) => Object.assign(c.relations, { symmetric: false, name: 'follows' }), { 'user_friends.dat': 'userID\tfriendID\n2\t4\n2\t4\n2\t9999\n' }),
  );
  const rel = directed.relation!;
  assert.equal(rel.name, 'follows');
  assert.equal(rel.graph.nnz, 1, 'one pair, counted once, one way');
  assert.deepEqual(directed.userTable!.describe(directed.users.get('2')).follows, ['4']);
  assert.equal(directed.userTable!.describe(directed.users.get('4')).follows, undefined);
  assert.match(directed.notes.join('\n'), /1 row of .*user_friends\.dat name users found in no interactions or users file \(e\.g\. 9999\): left out/);
  // kcore renumbers users: the relation follows its users (a drops out: one event)
  tmp.write('core/e.csv', 'u,i\na,x\nb,x\nb,y\nc,x\nc,y\nd,x\nd,y\n');
  tmp.write('core/f.csv', 'u,v\na,b\nb,c\nc,d\nd,a\n');
  const full = await readGenericMapping(
    { interactions: { path: 'e.csv', user: 'u', item: 'i' }, relations: { path: 'f.csv', user: 'u', other: 'v', symmetric: true } },
    join(tmp.path, 'core'),
  );
  const core = cleanDataset(full, { kcore: 2 });
  assert.deepEqual(core.users.toArray(), ['b', 'c', 'd']);
  assert.equal(core.relation!.graph.nRows, 3);
  const friendsOf = (ds: typeof core, id: string) => Array.from(ds.relation!.graph.rowIndices(ds.users.get(id)), (v) => ds.users.external(v)).sort();
  assert.deepEqual(friendsOf(full, 'd'), ['a', 'c']);
  assert.deepEqual(friendsOf(core, 'd'), ['c'], 'same friends, new ids, a gone');
  assert.deepEqual(friendsOf(core, 'b'), ['c']);
  for (let u = 0; u < core.users.size; u++) {
    const before = new Set(friendsOf(full, core.users.external(u)));
    for (const v of core.relation!.graph.rowIndices(u)) assert.ok(before.has(core.users.external(v)));
  }
});

test('weighted multi-valued columns: a tag given w times weighs 1 + ln(w) in the features; remap keeps weights', async () => {
  const { AttributeTableBuilder } = await import('../../src/data/attributes.js');
  const { multiHot } = await import('../../src/features/categorical.js');
  const b = new AttributeTableBuilder({ tags: 'multi' });
  b.setMulti('tags', 0, ['rock']);
  b.addMultiWeighted('tags', 0, ['pop', 'rock'], [Math.E, 2]);
  b.addMultiWeighted('tags', 1, ['pop', 'rock'], [1, 1]);
  const table = b.build(3);
  const col = table.get('tags')!;
  assert.ok(col.kind === 'multi');
  if (col.kind !== 'multi') return;
  assert.deepEqual(Array.from(col.weights!), [3, Math.fround(Math.E), 1, 1], 'rock: 1 from setMulti + 2');
  const block = multiHot('tags', col, { minCount: 1 });
  const v = block.values;
  const rock = block.names.indexOf('tag: rock');
  const pop = block.names.indexOf('tag: pop');
  assert.ok(Math.abs(v.get(0, pop) / v.get(1, pop) - 2) < 1e-5, 'e times -> 1 + ln(e) = 2');
  assert.ok(Math.abs(v.get(0, rock) - (1 + Math.log(3))) < 1e-5);
  const moved = table.remap(Int32Array.from([2, 0, 1]), 3);
  const m = moved.get('tags')!;
  if (m.kind === 'multi') assert.deepEqual(Array.from(m.weights!.subarray(m.indptr[2]!, m.indptr[3]!)), [3, Math.fround(Math.E)]);
});

test('README "Your own data": each worked example is a fixture config, and every config key is documented', async () => {
  const readme = readFileSync(resolve(process.cwd(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Your own data'), readme.indexOf('## Layout'));
  const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
  const fixtures = ['shop', 'lastfm', 'clicks'].map((d) => JSON.parse(readFileSync(join(FIXTURES, d, 'unirec.json'), 'utf8')));
  assert.deepEqual(examples, fixtures, 'the README examples are the fixture configs, in this order');
  for (const d of ['shop', 'lastfm', 'clicks']) assert.ok((await loadDataset(join(FIXTURES, d))).interactions.length > 0, d);
  const { genericMappingSchema, interactionsMappingSchema, attributesMappingSchema, longAttributesMappingSchema, lookupMappingSchema, relationMappingSchema } = await import(
    '../../src/data/readers/mapping.js'
  );
  const keys = new Set<string>();
  for (const schema of [genericMappingSchema, interactionsMappingSchema, attributesMappingSchema, longAttributesMappingSchema, lookupMappingSchema, relationMappingSchema]) {
    for (const k of Object.keys(schema.shape)) keys.add(k);
  }
  for (const k of keys) assert.match(section, new RegExp('`' + k + '`'), `config key "${k}" is documented`);
});
