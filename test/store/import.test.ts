import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { createModel, loadModel } from '../../src/models/index.js';
import { decodeArtifact } from '../../src/store/artifact-codec.js';
import { datasetFromSnapshot } from '../../src/store/dataset.js';
import { importDataset } from '../../src/store/import.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

const bin = resolve(process.cwd(), 'bin/unirec.js');
const dir = mkdtempSync(join(tmpdir(), 'unirec-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function unirec(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a generated shop imports in batches and reads back the same: ids, events, attributes', async () => {
  const ds = cleanDataset(syntheticShop({ users: 60, items: 40, seed: 3, eventsPerUser: 8 }));
  const store = new SqliteStore(':memory:');
  const report = await importDataset(store, ds, { batchSize: 97 });
  assert.equal(report.events, ds.interactions.length);
  assert.equal(report.duplicates, 0);
  assert.equal(report.users, ds.users.size);
  assert.equal(report.items, ds.items.size);
  assert.deepEqual(await store.counts(), { events: ds.interactions.length, users: ds.users.size, items: ds.items.size, models: 0 });

  const back = datasetFromSnapshot(await store.snapshot());
  assert.deepEqual(back.users.toArray(), ds.users.toArray());
  assert.deepEqual(back.items.toArray(), ds.items.toArray());
  for (const col of ['user', 'item', 'value', 'ts'] as const) {
    assert.deepEqual(Array.from(back.interactions[col]), Array.from(ds.interactions[col]), col);
  }
  assert.equal(back.hasRatings, ds.hasRatings);
  // Attribute columns come back with the kinds the reader gave them.
  for (const name of ['title', 'category', 'brand', 'price', 'tags']) {
    assert.equal(back.itemTable!.get(name)?.kind, ds.itemTable!.get(name)?.kind, name);
  }
  assert.deepEqual(back.itemTable!.describe(5), ds.itemTable!.describe(5));
  assert.deepEqual(back.userTable!.describe(7), ds.userTable!.describe(7));
  await store.close();
});

test('ml-100k: `unirec import` then `unirec train` give the model that fitting the files gives', async () => {
  const db = join(dir, 'ml100k.db');
  const data = join(SHARED_DATA, 'ml-100k');
  const imported = unirec('import', '--db', db, '--data', data);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported 100000 events \(0 duplicate keys skipped\), 943 users, 1682 items/);
  const trained = unirec('train', '--db', db, '--model', 'itemknn', '--params', '{"k":50}', '--threads', '1');
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^trained itemknn@1 on 100000 events \(943 users, 1682 items\) in [\d.]+ s; now active\n$/);

  const store = new SqliteStore(db);
  assert.deepEqual(await store.counts(), { events: 100000, users: 943, items: 1682, models: 1 });
  const record = (await store.activeModel())!;
  assert.equal(record.name, 'itemknn');
  assert.equal(record.params.k, 50);
  assert.equal(record.trainedThroughSeq, 100000);
  const { artifact, ids } = decodeArtifact(record.artifact);
  const fromStore = loadModel(artifact);
  await store.close();

  const ds = cleanDataset(await loadDataset(data));
  const direct = createModel('itemknn', { k: 50 });
  await direct.fit(makeTrainData(ds.interactions, ds.users.size, ds.items.size), { seed: 42, threads: 1 });
  assert.deepEqual(ids!.items, ds.items.toArray());
  assert.deepEqual(ids!.users, ds.users.toArray());
  const a = new Float32Array(ds.items.size);
  const b = new Float32Array(ds.items.size);
  for (const user of [0, 1, 500, 942]) {
    direct.scoreUser(user, a);
    fromStore.scoreUser(user, b);
    assert.deepEqual(b, a, `user ${ds.users.external(user)}`);
  }
});

test('import and train fail with one line: missing data, unknown model, empty store', () => {
  const db = join(dir, 'empty.db');
  const noData = unirec('import', '--db', db, '--data', '/no/such/folder');
  assert.notEqual(noData.code, 0);
  assert.match(noData.stderr, /^unirec: error: no such file or folder/);
  const badModel = unirec('train', '--db', db, '--model', 'nope');
  assert.match(badModel.stderr, /^unirec: error: unknown model "nope"/);
  const empty = unirec('train', '--db', db, '--model', 'itemknn');
  assert.notEqual(empty.code, 0);
  assert.match(empty.stderr, /^unirec: error: the store .* has no events to train on/);
  assert.equal(empty.stderr.trim().split('\n').length, 1);
});
