import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Recommender, UnknownItemError, UnknownModelError, type EventRecord, type ItemRecord } from '../../src/api.js';
import { trainFromStore } from '../../src/serve/training.js';
import { SqliteStore } from '../../src/store/sqlite.js';

/**
 * A small shop with two tastes: shoe people (s*) and hat people (h*), each user buying 3 of 4 items of
 * their kind, so every user has one unseen item of their own kind that the models should find.
 */
const ITEMS: ItemRecord[] = [
  ...['s1', 's2', 's3', 's4'].map((id) => ({ id, title: `Shoe ${id}`, tags: ['shoes'], price: 50 })),
  ...['h1', 'h2', 'h3', 'h4'].map((id) => ({ id, title: `Hat ${id}`, tags: ['hats'], price: 20 })),
  { id: 'h5', title: 'Hat h5 (new, no events)', tags: ['hats'], price: 25 },
];

function shopEvents(): EventRecord[] {
  const events: EventRecord[] = [];
  for (let u = 0; u < 8; u++) {
    const kind = u % 2 === 0 ? 's' : 'h';
    for (let j = 0; j < 4; j++) if (j !== u >> 1) events.push({ user: `${kind}-user-${u}`, item: `${kind}${j + 1}`, ts: 1000 + u * 10 + j });
  }
  return events;
}

const ids = (r: { items: { id: string }[] }) => r.items.map((x) => x.id);

test('a user gets their own kind, never what they have seen; exclude and filter narrow the list', async () => {
  const rec = await Recommender.train({ model: 'itemknn', events: shopEvents(), items: ITEMS });
  const r = rec.recommend('s-user-0', { k: 3 });
  assert.equal(r.fallback, false);
  assert.equal(r.items[0]!.id, 's1', 'the one shoe s-user-0 has not bought comes first');
  for (const seen of ['s2', 's3', 's4']) assert.ok(!ids(r).includes(seen));
  assert.ok(!ids(rec.recommend('s-user-0', { k: 3, exclude: ['s1'] })).includes('s1'));
  const hats = rec.recommend('s-user-0', { k: 3, filter: (item) => Array.isArray(item.attributes.tags) && item.attributes.tags.includes('hats') });
  assert.ok(hats.items.length > 0);
  for (const id of ids(hats)) assert.ok(id.startsWith('h'), `${id} is a hat`);
});

test('events from an async iterable, a CSV file and a JSONL file train the same model as an array', async () => {
  const events = shopEvents();
  const fromArray = await Recommender.train({ model: 'itemknn', events });
  async function* stream() {
    for (const e of events) yield e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'unirec-events-'));
  try {
    const csv = join(dir, 'events.csv');
    writeFileSync(csv, `user,item,ts\n${events.map((e) => `${e.user},${e.item},${e.ts}`).join('\n')}\n`);
    const jsonl = join(dir, 'events.jsonl');
    writeFileSync(jsonl, events.map((e) => JSON.stringify(e)).join('\n'));
    const expected = fromArray.recommend('h-user-1', { k: 4 });
    for (const source of [stream(), csv, jsonl]) {
      const rec = await Recommender.train({ model: 'itemknn', events: source });
      assert.deepEqual(rec.recommend('h-user-1', { k: 4 }), expected);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('item attributes reach the content model: a hat with no events is recommended to a hat visitor', async () => {
  const rec = await Recommender.train({ model: 'content', events: shopEvents(), items: ITEMS });
  const r = rec.recommend({ events: [{ item: 'h1' }, { item: 'h2' }] }, { k: 3 });
  assert.equal(r.fallback, false);
  assert.ok(ids(r).includes('h5'), `h5 (hats, no events) in ${ids(r)}`);
  for (const id of ids(r)) assert.ok(id.startsWith('h'));
  // Without attributes the model has nothing to place h5 by.
  const bare = await Recommender.train({ model: 'itemknn', events: shopEvents(), items: ITEMS });
  assert.ok(!ids(bare.recommend({ events: [{ item: 'h1' }, { item: 'h2' }] }, { k: 2 })).includes('h5'));
});

test('user attributes reach the demographic model', async () => {
  const events: EventRecord[] = [];
  const users = [];
  for (let u = 0; u < 10; u++) {
    const young = u < 5;
    users.push({ id: `u${u}`, age: young ? 'young' : 'old' });
    for (const item of young ? ['a', 'b'] : ['c', 'd']) events.push({ user: `u${u}`, item });
  }
  const rec = await Recommender.train({ model: 'demographic', events, users });
  const r = rec.recommend({ events: [], attributes: { age: 'old' } }, { k: 2 });
  assert.deepEqual(ids(r).sort(), ['c', 'd']);
});

test('unknown users and visitors the model cannot place get popular items, flagged; unknown items are a typed error', async () => {
  const rec = await Recommender.train({ model: 'itemknn', events: shopEvents() });
  const nobody = rec.recommend('nobody', { k: 2 });
  assert.equal(nobody.fallback, true);
  assert.match(nobody.reason ?? '', /unknown user/);
  const stranger = rec.recommend({ events: [{ item: 'not-in-the-shop' }] }, { k: 2 });
  assert.equal(stranger.fallback, true);
  assert.throws(() => rec.similar('not-in-the-shop'), (e: unknown) => e instanceof UnknownItemError && e.code === 'UNKNOWN_ITEM' && e.item === 'not-in-the-shop');
  await assert.rejects(Recommender.train({ model: 'nope' as 'itemknn', events: shopEvents() }), UnknownModelError);
  await assert.rejects(Recommender.train({ model: 'itemknn', params: { k: -1 }, events: shopEvents() }), /param "k"/);
  await assert.rejects(Recommender.train({ model: 'itemknn', events: [{ user: 'u', item: 7 as unknown as string }] }), /event 0: "item"/);
  assert.throws(() => rec.recommend('s-user-0', { k: 0 }), /k must be a positive integer/);
});

test('similar items are in the caller ids, without the item itself, exclude and filter applied', async () => {
  const rec = await Recommender.train({ model: 'itemknn', events: shopEvents(), items: ITEMS });
  const r = rec.similar('s1', { k: 3 });
  assert.deepEqual(ids(r).sort(), ['s2', 's3', 's4']);
  assert.deepEqual(ids(rec.similar('s1', { k: 3, exclude: ['s2'] })).sort(), ['s3', 's4']);
  assert.deepEqual(ids(rec.similar('s1', { k: 3, filter: (i) => i.id !== 's3' })).sort(), ['s2', 's4']);
});

test('a model trained into a store by `unirec train` loads into the façade; newer events are folded in', async () => {
  const store = new SqliteStore(':memory:');
  try {
    await store.appendEvents(shopEvents());
    for (const item of ITEMS) {
      const { id, ...attributes } = item;
      await store.putItem(id, attributes as never);
    }
    const info = await trainFromStore(store, 'itemknn', {});
    await store.activateModel(info.name, info.version);
    // After training: a new user, and an item deleted from the catalogue.
    await store.appendEvents([{ user: 'newcomer', item: 'h1' }, { user: 'newcomer', item: 'h2' }]);
    await store.deleteItem('h3');

    const rec = await Recommender.fromStore(store);
    assert.equal(rec.model, 'itemknn');
    const known = rec.recommend('s-user-0', { k: 2, explain: true });
    assert.equal(known.items[0]!.id, 's1');
    assert.ok(known.items[0]!.reasons!.some((x) => x.id !== undefined && x.id.startsWith('s')), 'reasons name the user\'s shoes');
    const newcomer = rec.recommend('newcomer', { k: 3 });
    assert.equal(newcomer.fallback, false, 'a user with events in the store is folded in, not a fallback');
    assert.equal(newcomer.items[0]!.id, 'h4');
    assert.ok(!ids(newcomer).includes('h3'), 'a deleted item is never recommended');
    assert.ok(!ids(newcomer).includes('h1'));

    // Saved and loaded, the store's view comes along.
    const dir = mkdtempSync(join(tmpdir(), 'unirec-save-'));
    try {
      await rec.save(join(dir, 'shop.unirec'));
      const again = await Recommender.load(join(dir, 'shop.unirec'));
      assert.deepEqual(again.recommend('newcomer', { k: 3 }), newcomer);
      assert.deepEqual(again.recommend('s-user-0', { k: 2, explain: true }), known);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await assert.rejects(Recommender.fromStore(store, { model: 'als' }), /no model "als"/);
  } finally {
    await store.close();
  }
});
