import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RowError, UnirecError } from '../../src/errors.js';
import { loadDataset } from '../../src/data/load.js';
import { readGeneric, readGenericMapping } from '../../src/data/readers/generic.js';
import { TempDir } from './fixtures.js';

const tmp = new TempDir();
after(() => tmp.remove());

const CONFIG = {
  interactions: { path: 'events.csv', user: 'customer_id', item: 'sku', value: 'rating', ts: 'time' },
  items: { path: 'items.csv', id: 'sku', title: 'name', categorical: ['brand'], multi: { tags: '|' }, numeric: ['price'], text: ['description'] },
  users: { path: 'users.csv', id: 'id', categorical: ['gender'], numeric: ['age'] },
};

function shop(name: string, events: string, config: object = CONFIG): string {
  tmp.write(`${name}/events.csv`, events);
  tmp.write(
    `${name}/items.csv`,
    'sku,name,brand,tags,price,description\n' +
      'A,"Tent, 2 people",Kestrel,outdoor| camping,199.5,"A light tent.\nSleeps two."\n' +
      'B,Mug,Acme,,,\n' +
      'C,Lamp,Lumen,home,25,never bought\n',
  );
  tmp.write(`${name}/users.csv`, 'id,gender,age\nu1,F,34\nu2,M,\n');
  return tmp.write(`${name}/shop.json`, JSON.stringify(config));
}

test('generic CSV: column mapping, items and users files, ISO and numeric timestamps', async () => {
  const config = shop(
    'shop',
    'customer_id,sku,rating,time\n' +
      'u1,A,5,2020-01-01T00:00:00Z\n' +
      'u1,B,3,1577836810\n' +
      'u2,A,4,1577836820000\n' +
      'u3,B,2,2020-01-01 00:00:30\n',
  );
  const ds = await readGeneric(config);
  assert.equal(ds.source, 'generic');
  assert.equal(ds.name, 'shop');
  assert.ok(ds.hasRatings && ds.hasTime);
  assert.deepEqual([...ds.interactions.ts], [1577836800, 1577836810, 1577836820, 1577836830]);
  assert.deepEqual([...ds.interactions.value], [5, 3, 4, 2]);
  assert.equal(ds.items.size, 3, 'C is a catalogue item');
  assert.equal(ds.users.size, 3);
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('A')), {
    price: 199.5,
    brand: 'Kestrel',
    tags: ['outdoor', 'camping'],
    title: 'Tent, 2 people',
    description: 'A light tent.\nSleeps two.',
  });
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('B')), { brand: 'Acme', title: 'Mug' }, 'empty cells are missing values');
  assert.deepEqual(ds.userTable!.describe(ds.users.get('u2')), { gender: 'M' });
  assert.match(ds.notes.join('\n'), /1 user in .*events\.csv have no row in .*users\.csv/);
});

test('generic JSONL and TSV, without value or time columns', async () => {
  tmp.write('jl/events.jsonl', '{"u": 1, "i": "x", "t": "2021-06-01"}\n\n{"u": 2, "i": 7, "t": 1622505600}\n');
  tmp.write('jl/items.jsonl', '{"id": "x", "tags": ["a", "b"], "n": 3}\n{"id": 7, "tags": "c;d", "n": "4.5"}\n');
  const ds = await readGenericMapping(
    { interactions: { path: 'events.jsonl', user: 'u', item: 'i', ts: 't' }, items: { path: 'items.jsonl', id: 'id', multi: { tags: ';' }, numeric: ['n'] } },
    join(tmp.path, 'jl'),
  );
  assert.equal(ds.name, 'events');
  assert.ok(!ds.hasRatings && ds.hasTime);
  assert.deepEqual([...ds.interactions.value], [1, 1]);
  assert.deepEqual([...ds.interactions.ts], [1622505600, 1622505600]);
  assert.deepEqual(ds.users.toArray(), ['1', '2']);
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('7')), { n: 4.5, tags: ['c', 'd'] });
  assert.ok(ds.notes.some((n) => /no value column/.test(n)));

  tmp.write('tsv/e.tsv', 'user\titem\nu1\ti1\nu2\ti1\n');
  const t = await readGenericMapping({ interactions: { path: 'e.tsv', user: 'user', item: 'item' } }, join(tmp.path, 'tsv'));
  assert.equal(t.interactions.length, 2);
  assert.ok(!t.hasTime && Number.isNaN(t.interactions.ts[0]!));
  assert.ok(t.notes.some((n) => /no time column/.test(n)));
});

test('generic: bad rows name file, line and field; JSONL line numbers count blank lines', async () => {
  const jl = tmp.write('jlbad/events.jsonl', '{"u": "a", "i": "x"}\n\n{"u": "b", "i": \n{"u": "c"}\n[1]\n');
  const base = join(tmp.path, 'jlbad');
  const mapping = { interactions: { path: 'events.jsonl', user: 'u', item: 'i' } };
  await assert.rejects(readGenericMapping(mapping, base), (e: unknown) => e instanceof RowError && e.file === jl && e.line === 3 && /not valid JSON/.test(e.reason));
  const quarantinePath = join(tmp.path, 'q-jl.csv');
  const ds = await readGenericMapping(mapping, base, { onError: 'skip', quarantinePath });
  assert.equal(ds.interactions.length, 1);
  const q = readFileSync(quarantinePath, 'utf8').trim().split('\n');
  assert.equal(q.length, 4);
  assert.match(q[2]!, /,4,i,,is empty/);
  assert.match(q[3]!, /,5,\(row\),\[1\],is not a JSON object/);

  const config = shop('shopbad', 'customer_id,sku,rating,time\nu1,A,5,2020-01-01\nu1,B,5,soon\n');
  await assert.rejects(readGeneric(config), (e: unknown) => e instanceof RowError && e.line === 3 && e.field === 'time' && e.value === 'soon');
  const ranged = shop('shoprange', 'customer_id,sku,rating,time\nu1,A,11,1\n', { ...CONFIG, interactions: { ...CONFIG.interactions, range: [1, 10] } });
  await assert.rejects(readGeneric(ranged), /events\.csv:2: field "rating" is outside the range 1\.\.10/);
  const short = shop('shortrow', 'customer_id,sku,rating,time\nu1,A,5\n');
  await assert.rejects(readGeneric(short), /events\.csv:2: field "\(row\)" has 3 fields, expected 4/);
});

test('generic config: zod validation, unknown columns, missing files and JSON errors are clear', async () => {
  const bad = tmp.write('cfg/bad.json', JSON.stringify({ interactions: { path: 'e.csv', item: 'sku', format: 'xls' }, extra: 1 }));
  await assert.rejects(readGeneric(bad), (e: unknown) => {
    assert.ok(e instanceof UnirecError);
    assert.match(e.message, /invalid column mapping in .*bad\.json/);
    assert.match(e.message, /interactions\.user: /);
    assert.match(e.message, /interactions\.format: /);
    assert.match(e.message, /Unrecognized key: "extra"/);
    return true;
  });
  await assert.rejects(readGeneric(tmp.write('cfg/broken.json', '{"interactions":')), /broken\.json: not valid JSON/);
  const missing = tmp.write('cfg/missing.json', JSON.stringify({ interactions: { path: 'nope.csv', user: 'u', item: 'i' } }));
  await assert.rejects(readGeneric(missing), new RegExp(`no such interactions file: ${join(tmp.path, 'cfg', 'nope.csv').replace(/[.]/g, '\\.')}`));
  tmp.write('cfg/e.csv', 'user,item\nu,i\n');
  const wrongCol = tmp.write('cfg/col.json', JSON.stringify({ interactions: { path: 'e.csv', user: 'customer', item: 'item' } }));
  await assert.rejects(readGeneric(wrongCol), /e\.csv: no column "customer" in the header \(found: user, item\)/);
  tmp.write('cfg/e.dat', 'user,item\nu,i\n');
  const noExt = tmp.write('cfg/ext.json', JSON.stringify({ interactions: { path: 'e.dat', user: 'user', item: 'item' } }));
  await assert.rejects(readGeneric(noExt), /cannot tell the format of .*e\.dat.*set "format"/);
  const withFormat = tmp.write('cfg/fmt.json', JSON.stringify({ interactions: { path: 'e.dat', format: 'csv', user: 'user', item: 'item' } }));
  assert.equal((await readGeneric(withFormat)).interactions.length, 1);
  const twice = tmp.write('cfg/twice.json', JSON.stringify({ interactions: { path: 'e.csv', user: 'user', item: 'item' }, items: { path: 'e.csv', id: 'item', categorical: ['x'], numeric: ['x'] } }));
  await assert.rejects(readGeneric(twice), /items column "x" is mapped twice/);
  tmp.write('cfg/empty-items.csv', '');
  const emptyItems = tmp.write('cfg/ei.json', JSON.stringify({ interactions: { path: 'e.csv', user: 'user', item: 'item' }, items: { path: 'empty-items.csv', id: 'item' } }));
  assert.equal((await readGeneric(emptyItems)).items.size, 1, 'an empty items file is fine');
  tmp.write('cfg/empty.csv', 'user,item\n');
  const empty = tmp.write('cfg/empty.json', JSON.stringify({ interactions: { path: 'empty.csv', user: 'user', item: 'item' } }));
  await assert.rejects(readGeneric(empty), /^UnirecError: no interactions in .*empty\.csv$/);
});

test('loadDataset: a folder with unirec.json is generic data named after the folder', async () => {
  shop('myshop', 'customer_id,sku,rating,time\nu1,A,5,1\n');
  tmp.write('myshop/unirec.json', JSON.stringify(CONFIG));
  const ds = await loadDataset(join(tmp.path, 'myshop'));
  assert.equal(ds.source, 'generic');
  assert.equal(ds.name, 'myshop');
  assert.equal((await loadDataset(join(tmp.path, 'myshop', 'shop.json'), { name: 'x' })).name, 'x');
});
