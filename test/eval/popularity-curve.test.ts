import assert from 'node:assert/strict';
import { test } from 'node:test';
import { popularityCurve } from '../../src/eval/popularity-curve.js';

test('popularityCurve: equal-size buckets by train count, train share vs share of top-K slots', () => {
  // items by count: 0 (5), 2 (3) | 3 (2), 1 (0)
  const pop = Int32Array.from([5, 0, 3, 2]);
  const lists = [Int32Array.from([0, 1, 2]), Int32Array.from([3, 2])];
  const c = popularityCurve(lists, [1, 3], pop, 2);
  assert.deepEqual(c.items, [2, 2]);
  assert.deepEqual(c.mean_popularity, [4, 1]);
  assert.deepEqual(c.train_share, [0.8, 0.2]);
  assert.deepEqual(c.recommended_share, { '1': [0.5, 0.5], '3': [0.6, 0.4] }, 'K = 1 counts only the first entry of each list');
});

test('popularityCurve: ties go by item id, never more buckets than items, empty input gives zeros', () => {
  const c = popularityCurve([Int32Array.from([2])], [5], Int32Array.from([1, 1, 1]), 10);
  assert.deepEqual(c.items, [1, 1, 1]);
  assert.deepEqual(c.recommended_share['5'], [0, 0, 1], 'item 2 is last among equals');
  const empty = popularityCurve([], [10], new Int32Array(4), 2);
  assert.deepEqual(empty.train_share, [0, 0]);
  assert.deepEqual(empty.recommended_share['10'], [0, 0]);
});
