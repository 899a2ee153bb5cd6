import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Column } from '../../src/data/attributes.js';
import { loadDataset } from '../../src/data/load.js';
import { SHARED_DATA } from './fixtures.js';

/** Loads of the real datasets in ../shared/data (skipped when a folder is not there). */
function data(name: string): { path: string; skip: string | false } {
  const path = join(SHARED_DATA, name);
  return { path, skip: existsSync(path) ? false : `${path} not found` };
}

function vocab(col: Column | undefined): string[] {
  assert.ok(col && (col.kind === 'multi' || col.kind === 'categorical'));
  return col.vocab;
}

const ml100k = data('ml-100k');
test('real ml-100k: counts, genres, user attributes, Latin-1 titles, publisher folds', { skip: ml100k.skip }, async () => {
  const ds = await loadDataset(ml100k.path);
  assert.equal(ds.source, 'ml-100k');
  assert.equal(ds.interactions.length, 100000);
  assert.equal(ds.users.size, 943);
  assert.equal(ds.items.size, 1682);
  assert.ok(ds.hasRatings && ds.hasTime);
  assert.deepEqual(ds.notes, []);
  assert.equal(vocab(ds.itemTable!.get('genres')).length, 19);
  assert.deepEqual(ds.userTable!.describe(ds.users.get('1')), { age: 24, gender: 'M', occupation: 'technician', zip: '85711', region: '8' });
  assert.equal(ds.itemTable!.title(ds.items.get('543')), 'Misérables, Les (1995)');
  assert.deepEqual(ds.itemTable!.describe(ds.items.get('1')), { title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'], year: 1995 });
  assert.equal(ds.itemTable!.title(ds.items.get('267')), 'unknown');
  const seen = new Uint8Array(100000);
  assert.equal(ds.folds!.length, 5);
  for (const fold of ds.folds!) {
    assert.equal(fold.length, 20000);
    for (const r of fold) seen[r]!++;
  }
  assert.ok(seen.every((c) => c === 1), 'the five test folds partition u.data');
});

const latest = data('ml-latest-small');
test('real ml-latest-small: counts, 9742 catalogue items with 18 unrated, tags', { skip: latest.skip }, async () => {
  const ds = await loadDataset(latest.path);
  assert.equal(ds.source, 'ml-latest-small');
  assert.equal(ds.interactions.length, 100836);
  assert.equal(ds.users.size, 610);
  assert.equal(ds.items.size, 9742);
  const rated = new Set(ds.interactions.item);
  assert.equal(rated.size, 9724);
  assert.equal(ds.items.size - rated.size, 18);
  assert.deepEqual(ds.notes, [
    `18 items appear only in ${join(SHARED_DATA, 'ml-latest-small', 'movies.csv')}, in no interaction (e.g. 1076, 2939, 3338, 3456, 4194): kept as cold items (ranked by attributes only; "catalogueOnly": "drop" or --catalogue-only drop removes them)`,
  ]);
  const t = ds.itemTable!;
  assert.ok(vocab(t.get('tags')).length > 1000);
  assert.ok((t.describe(ds.items.get('1')).tags as string[]).includes('pixar'));
  assert.equal(vocab(t.get('genres')).length, 19, '(no genres listed) is not a genre');
  let min = Infinity;
  for (const v of ds.interactions.value) min = Math.min(min, v);
  assert.equal(min, 0.5);
});

const ml1m = data('ml-1m');
test('real ml-1m: 1,000,209 pairs from ratings.parquet, no ratings or time, with a note', { skip: ml1m.skip }, async () => {
  const ds = await loadDataset(ml1m.path);
  assert.equal(ds.source, 'ml-1m');
  assert.equal(ds.interactions.length, 1000209);
  assert.equal(ds.users.size, 6040);
  assert.equal(ds.items.size, 3883);
  assert.equal(new Set(ds.interactions.item).size, 3706);
  assert.equal(ds.hasRatings, false);
  assert.equal(ds.hasTime, false);
  assert.ok(Number.isNaN(ds.interactions.ts[0]!));
  assert.equal(ds.interactions.value[0], 1);
  assert.ok(ds.notes.some((n) => /ratings and time are absent/.test(n) && /loo\/temporal/.test(n)), ds.notes.join('\n'));
  assert.equal(ds.itemTable!.title(ds.items.get('73')), 'Misérables, Les (1995)');
  assert.equal(ds.userTable!.describe(ds.users.get('1')).age_group, 'Under 18');
});

const beauty = data('amazon-beauty');
test('real amazon-beauty: sequences with positions and attributes', { skip: beauty.skip }, async () => {
  const ds = await loadDataset(beauty.path);
  assert.equal(ds.source, 'sequence');
  assert.equal(ds.name, 'amazon-beauty');
  assert.equal(ds.users.size, 22363);
  assert.equal(ds.items.size, 12101);
  assert.equal(ds.interactions.length, 198502);
  assert.ok(ds.hasTime && !ds.hasRatings);
  assert.deepEqual(ds.notes, []);
  assert.equal(vocab(ds.itemTable!.get('attributes')).length, 637);
  assert.deepEqual([...ds.interactions.ts.subarray(0, 6)], [0, 1, 2, 3, 4, 0]);
});
