import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { json, openApp, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-realtime-');
after(() => tmp.cleanup());

interface Rec {
  items: { id: string; score: number; reasons: string[] }[];
  model: string;
  fallback: boolean;
}

test('an event shows in the very next /recommend, without retraining, and its item is excluded', async () => {
  const t = await openApp(await shopStore(join(tmp.dir, 'realtime.db'), { model: 'itemknn' }));
  try {
    const recommend = async (user: string, query = 'k=10'): Promise<Rec> => json(await t.app.inject({ method: 'GET', url: `/recommend/${user}?${query}` }));
    const post = (events: object[]) => t.app.inject({ method: 'POST', url: '/events', payload: events });

    // A user the model was trained on.
    const first = await recommend('user-0010');
    assert.equal(first.model, 'itemknn@1');
    const top = first.items[0]!.id;
    assert.equal((await post([{ user: 'user-0010', item: top }])).statusCode, 200);
    const second = await recommend('user-0010', 'k=10&explain=true');
    assert.equal(second.model, 'itemknn@1', 'same model: no retraining');
    assert.equal(second.fallback, false);
    assert.ok(!second.items.some((i) => i.id === top), 'the item just consumed is excluded');
    assert.notDeepEqual(second.items.map((i) => [i.id, i.score]), first.items.map((i) => [i.id, i.score]), 'the list changed');
    assert.match(second.items[0]!.reasons[0]!, /scored from your \d+ events, including ones newer than itemknn@1/);

    // A user nobody has seen: popularity first, then fold-in from their first events.
    const cold = await recommend('walk-in');
    assert.equal(cold.fallback, true);
    const picks = [cold.items[3]!.id, cold.items[7]!.id];
    await post(picks.map((item) => ({ user: 'walk-in', item })));
    const warm = await recommend('walk-in');
    assert.equal(warm.fallback, false);
    assert.equal(warm.model, 'itemknn@1');
    for (const item of picks) assert.ok(!warm.items.some((i) => i.id === item), `${item} was consumed`);
    assert.notDeepEqual(warm.items.map((i) => i.id), cold.items.map((i) => i.id));

    // A user whose only event is on an item the model has never seen: nothing to fold in yet.
    await post([{ user: 'early-adopter', item: 'just-launched' }]);
    const early = await recommend('early-adopter', 'k=100');
    assert.equal(early.fallback, true);
    assert.match(early.items[0]!.reasons[0]!, /none of this user's items is known to itemknn@1 yet/);
    assert.ok(!early.items.some((i) => i.id === 'just-launched'));

    // What the server holds in memory is what the store holds.
    const history = json(await t.app.inject({ method: 'GET', url: '/users/walk-in/history' })).items.map((e: { id: string }) => e.id);
    assert.deepEqual(history.sort(), [...picks].sort());
  } finally {
    await t.close();
  }
});

test('the histories survive a restart: a new server folds in the events the old one stored', async () => {
  const path = join(tmp.dir, 'restart.db');
  const a = await openApp(await shopStore(path, { model: 'itemknn' }));
  const before: Rec = json(await a.app.inject({ method: 'GET', url: '/recommend/user-0011?k=5' }));
  await a.app.inject({ method: 'POST', url: '/events', payload: [{ user: 'user-0011', item: before.items[0]!.id }] });
  const after1: Rec = json(await a.app.inject({ method: 'GET', url: '/recommend/user-0011?k=5' }));
  await a.close();
  const b = await openApp(new SqliteStore(path));
  try {
    const after2: Rec = json(await b.app.inject({ method: 'GET', url: '/recommend/user-0011?k=5' }));
    assert.deepEqual(after2.items.map((i) => i.id), after1.items.map((i) => i.id));
    assert.equal(after2.model, 'itemknn@1');
    // Users with nothing new are still scored by the model itself, not folded in.
    const untouched: Rec = json(await b.app.inject({ method: 'GET', url: '/recommend/user-0012?k=3&explain=true' }));
    assert.match(untouched.items[0]!.reasons[0]!, /similar to an item you interacted with/);
  } finally {
    await b.close();
  }
});

test('repeated requests are answered from the result cache until the history, catalogue or model changes', async () => {
  const t = await openApp(await shopStore(join(tmp.dir, 'cache.db'), { model: 'itemknn' }));
  try {
    const recommend = async (user: string): Promise<Rec> => json(await t.app.inject({ method: 'GET', url: `/recommend/${user}?k=5` }));
    const first = await recommend('user-0020');
    const size = t.service.results.size;
    assert.ok(size >= 1, 'the list was kept');
    assert.deepEqual(await recommend('user-0020'), first, 'a repeated request gives the same list');
    assert.equal(t.service.results.size, size, 'from the cache, not a new entry');

    // A deleted item disappears at once, though the cached list held it.
    const gone = first.items[0]!.id;
    assert.equal((await t.app.inject({ method: "DELETE", url: `/items/${gone}` })).statusCode, 200);
    assert.ok(!(await recommend('user-0020')).items.some((i) => i.id === gone));

    // A new event for the user is reflected at once.
    const next = (await recommend('user-0020')).items[0]!.id;
    await t.app.inject({ method: 'POST', url: '/events', payload: [{ user: 'user-0020', item: next }] });
    assert.ok(!(await recommend('user-0020')).items.some((i) => i.id === next));
  } finally {
    await t.close();
  }
});
