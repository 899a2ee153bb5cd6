import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interactions } from '../../src/data/interactions.js';
import { PROTOCOLS, splitColdItems, splitColdUsers } from '../../src/data/splits.js';
import { Rng } from '../../src/math/rng.js';

/** 50 users x 40 items, each user ~12 events at random times. */
function sample(seed = 3, withTime = true): Interactions {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const t: number[] = [];
  for (let user = 0; user < 50; user++) {
    for (let item = 0; item < 40; item++) {
      if (rng.next() < 0.3) {
        u.push(user);
        i.push(item);
        t.push(withTime ? Math.floor(rng.next() * 1e6) : NaN);
      }
    }
  }
  return new Interactions(Int32Array.from(u), Int32Array.from(i), new Float32Array(u.length).fill(1), Float64Array.from(t));
}

const sorted = (a: ArrayLike<number>) => Array.from(a).sort((p, q) => p - q);

test('the CLI protocols include the cold-start ones', () => {
  assert.ok(PROTOCOLS.includes('cold-items'));
  assert.ok(PROTOCOLS.includes('cold-users'));
});

test('cold-items: a seeded 10% of items leave train and valid whole; test is exactly their rows', () => {
  const x = sample();
  const s = splitColdItems(x, 40, 42);
  assert.equal(s.candidates!.length, 4);
  assert.deepEqual(s, splitColdItems(x, 40, 42), 'deterministic');
  assert.notDeepEqual(s.candidates, splitColdItems(x, 40, 43).candidates, 'seeded');
  const cold = new Set(s.candidates);
  for (const r of [...s.train, ...s.valid]) assert.ok(!cold.has(x.item[r]!), 'no cold item in train or valid');
  for (const r of s.test) assert.ok(cold.has(x.item[r]!), 'test = rows of cold items');
  assert.deepEqual(sorted([...s.train, ...s.valid, ...s.test]), Array.from({ length: x.length }, (_, r) => r), 'a partition');
  assert.ok(s.valid.length > 0 && s.valid.length < 0.15 * (s.train.length + s.valid.length), 'valid ~ 10% of the warm rows');
  // only items with interactions are picked
  const y = new Interactions(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1), new Float32Array(4).fill(1), new Float64Array(4));
  for (let seed = 0; seed < 5; seed++) assert.ok(splitColdItems(y, 100, seed).candidates!.every((i) => i < 2));
});

test('cold-users: a seeded 10% of users held out; their first N events by time go to foldIn, the rest to test', () => {
  const x = sample();
  for (const n of [0, 1, 3]) {
    const s = splitColdUsers(x, 50, 42, n);
    assert.equal(s.coldUsers!.length, 5);
    const cold = new Set(s.coldUsers);
    for (const r of [...s.train, ...s.valid]) assert.ok(!cold.has(x.user[r]!), 'no cold user in train or valid');
    for (const r of [...s.test, ...s.foldIn!]) assert.ok(cold.has(x.user[r]!));
    assert.deepEqual(sorted([...s.train, ...s.valid, ...s.test, ...s.foldIn!]), Array.from({ length: x.length }, (_, r) => r));
    for (const u of s.coldUsers!) {
      const given = Array.from(s.foldIn!).filter((r) => x.user[r] === u);
      const rest = Array.from(s.test).filter((r) => x.user[r] === u);
      assert.equal(given.length, n);
      const lastGiven = Math.max(...given.map((r) => x.ts[r]!));
      for (const r of rest) assert.ok(x.ts[r]! >= lastGiven, 'fold-in events come first in time');
    }
  }
  // the same users whatever N is, so N=0/1/3 results compare
  assert.deepEqual(splitColdUsers(x, 50, 42, 0).coldUsers, splitColdUsers(x, 50, 42, 3).coldUsers);
  // without time, file order
  const y = sample(3, false);
  const s = splitColdUsers(y, 50, 42, 2);
  for (const u of s.coldUsers!) {
    const rows = Array.from({ length: y.length }, (_, r) => r).filter((r) => y.user[r] === u);
    assert.deepEqual(Array.from(s.foldIn!).filter((r) => y.user[r] === u), rows.slice(0, 2));
  }
  assert.throws(() => splitColdUsers(x, 50, 42, -1), /whole number/);
});
