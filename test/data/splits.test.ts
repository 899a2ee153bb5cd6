import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interactions } from '../../src/data/interactions.js';
import { ratioCounts, splitKfold, splitLoo, splitRatio, splitTemporal, userFolds } from '../../src/data/splits.js';

/** user u has n_u interactions at times 0..n_u-1 given in reverse order. */
function sample(sizes: number[]): Interactions {
  const u: number[] = [];
  const i: number[] = [];
  const t: number[] = [];
  sizes.forEach((n, user) => {
    for (let k = n - 1; k >= 0; k--) {
      u.push(user);
      i.push(k);
      t.push(1000 * user + k);
    }
  });
  return new Interactions(Int32Array.from(u), Int32Array.from(i), new Float32Array(u.length).fill(1), Float64Array.from(t));
}

test('ratioCounts follows the 80/10/10 rule and gives small users a test item', () => {
  assert.deepEqual(ratioCounts(20, [0.8, 0.1, 0.1]), [16, 2, 2]);
  assert.deepEqual(ratioCounts(25, [0.8, 0.1, 0.1]), [21, 2, 2]);
  assert.deepEqual(ratioCounts(5, [0.8, 0.1, 0.1]), [3, 1, 1]);
  assert.deepEqual(ratioCounts(2, [0.8, 0.1, 0.1]), [1, 1, 0]);
  assert.deepEqual(ratioCounts(1, [0.8, 0.1, 0.1]), [1, 0, 0]);
});

test('ratio split is per user, a partition, seeded and deterministic', () => {
  const x = sample([20, 10, 30]);
  const a = splitRatio(x, 3, 42);
  const b = splitRatio(x, 3, 42);
  const c = splitRatio(x, 3, 43);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  const all = [...a.train, ...a.valid, ...a.test].sort((p, q) => p - q);
  assert.deepEqual(all, Array.from({ length: x.length }, (_, r) => r));
  const perUser = (rows: Int32Array, user: number) => Array.from(rows).filter((r) => x.user[r] === user).length;
  assert.deepEqual([perUser(a.train, 0), perUser(a.valid, 0), perUser(a.test, 0)], [16, 2, 2]);
  assert.deepEqual([perUser(a.train, 2), perUser(a.valid, 2), perUser(a.test, 2)], [24, 3, 3]);
});

test('loo puts each user last event in test and the one before in valid', () => {
  const x = sample([5, 2, 1]);
  const s = splitLoo(x, 3);
  const item = (rows: Int32Array, user: number) => Array.from(rows).filter((r) => x.user[r] === user).map((r) => x.item[r]);
  assert.deepEqual(item(s.test, 0), [4]);
  assert.deepEqual(item(s.valid, 0), [3]);
  assert.deepEqual(item(s.train, 0).sort(), [0, 1, 2]);
  assert.deepEqual(item(s.test, 1), [1]);
  assert.deepEqual(item(s.valid, 1), []);
  assert.deepEqual(item(s.train, 2), [0]);
});

test('temporal is one global cut by time', () => {
  const x = sample([10, 10]);
  const s = splitTemporal(x);
  assert.equal(s.train.length, 16);
  const maxTrain = Math.max(...Array.from(s.train, (r) => x.ts[r]!));
  const minValid = Math.min(...Array.from(s.valid, (r) => x.ts[r]!));
  const maxValid = Math.max(...Array.from(s.valid, (r) => x.ts[r]!));
  const minTest = Math.min(...Array.from(s.test, (r) => x.ts[r]!));
  assert.ok(maxTrain <= minValid && maxValid <= minTest);
});

test('loo and temporal refuse data without time', () => {
  const x = sample([3]);
  x.ts.fill(NaN);
  assert.throws(() => splitLoo(x, 1), /needs timestamps/);
  assert.throws(() => splitTemporal(x), /needs timestamps/);
});

test('kfold test folds are disjoint and cover every row', () => {
  const x = sample([7, 9, 11]);
  const folds = splitKfold(x, 1, 5);
  assert.equal(folds.length, 5);
  const tests = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
  assert.deepEqual(tests, Array.from({ length: x.length }, (_, r) => r));
  for (const f of folds) assert.equal(f.train.length + f.test.length, x.length);
});

test('userFolds deals each user\'s rows evenly over the folds, seeded', () => {
  const x = sample([1, 2, 7, 10, 3]);
  const fold = userFolds(x, 5, 3, 42);
  assert.equal(fold.length, x.length);
  for (let u = 0; u < 5; u++) {
    const counts = [0, 0, 0];
    for (let r = 0; r < x.length; r++) if (x.user[r] === u) counts[fold[r]!]!++;
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `user ${u}: ${counts}`);
  }
  assert.deepEqual(userFolds(x, 5, 3, 42), fold);
  const other = [7, 8, 9].map((seed) => userFolds(x, 5, 3, seed));
  assert.ok(other.some((f) => f.some((v, r) => v !== fold[r])), 'another seed deals differently');
  // one-row users do not all land in fold 0
  const singles = sample(Array.from({ length: 30 }, () => 1));
  assert.equal(new Set(userFolds(singles, 30, 3, 1)).size, 3);
  assert.throws(() => userFolds(x, 5, 1, 42), /folds must be/);
});
