import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conjugateGradient } from '../../src/math/cg.js';
import { cholesky, choleskyInverse, choleskySolve, solveSpd } from '../../src/math/cholesky.js';
import { maxDiff, naiveMatmul, randomMatrix, randomSpd, transpose } from '../helpers/matrices.js';

test('cholesky factor reproduces A and has a zero upper triangle', () => {
  const n = 23;
  const a = randomSpd(n, 1);
  const l = Float64Array.from(a);
  cholesky(l, n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
  assert.ok(maxDiff(naiveMatmul(l, transpose(l, n, n), n, n, n), a) < 1e-12);
});

test('choleskySolve solves one and many right-hand sides; choleskyInverse inverts', () => {
  const n = 17;
  const a = randomSpd(n, 2);
  const l = Float64Array.from(a);
  cholesky(l, n);
  const x = randomMatrix(n, 3, 3);
  const b = naiveMatmul(a, x, n, n, 3);
  choleskySolve(l, n, b, 3);
  assert.ok(maxDiff(b, x) < 1e-10);
  const x1 = randomMatrix(n, 1, 4);
  assert.ok(maxDiff(solveSpd(a, n, naiveMatmul(a, x1, n, n, 1)), x1) < 1e-10);
  const inv = choleskyInverse(l, n);
  const eye = naiveMatmul(a, inv, n, n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(eye[i * n + j]! - (i === j ? 1 : 0)) < 1e-10);
});

test('cholesky rejects a matrix that is not positive definite', () => {
  const a = Float64Array.from([1, 2, 2, 1]);
  assert.throws(() => cholesky(a, 2), /not positive definite/);
});

test('conjugate gradient converges to the Cholesky solution and respects its step budget', () => {
  const n = 12;
  const a = randomSpd(n, 5, 1);
  const b = randomMatrix(n, 1, 6);
  const exact = solveSpd(a, n, b);
  const x = new Float64Array(n);
  const used = conjugateGradient(a, n, b, x, 100, 1e-28);
  assert.ok(used <= n + 2, `took ${used} steps`);
  assert.ok(maxDiff(x, exact) < 1e-9);
  const rough = new Float64Array(n);
  assert.equal(conjugateGradient(a, n, b, rough, 2), 2);
  // warm start from the exact answer: nothing to do
  assert.equal(conjugateGradient(a, n, b, Float64Array.from(exact), 5, 1e-20), 0);
});
