import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyInverse, cholesky } from '../../src/math/cholesky.js';
import { spdInverse } from '../../src/math/spd-inverse.js';
import { maxDiff, randomSpd } from '../helpers/matrices.js';

test('spdInverse (blocked sweep) equals the Cholesky-based inverse, across tile boundaries', () => {
  for (const n of [1, 5, 64, 65, 150]) {
    const a = randomSpd(n, n, 0.3);
    const l = Float64Array.from(a);
    cholesky(l, n);
    const expected = choleskyInverse(l, n);
    const inv = Float64Array.from(a);
    // only the lower triangle is read: spoil the upper one
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) inv[i * n + j] = NaN;
    spdInverse(inv, n);
    assert.ok(maxDiff(inv, expected) < 1e-9, `n = ${n}: ${maxDiff(inv, expected)}`);
  }
});

test('spdInverse rejects a matrix that is not positive definite', () => {
  const a = Float64Array.from([1, 2, 2, 1]);
  assert.throws(() => spdInverse(a, 2), /not positive definite/);
});
