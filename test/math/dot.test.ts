import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axpy, dot, nrm2, scal } from '../../src/math/dot.js';
import { randomMatrix } from '../helpers/matrices.js';

test('dot, axpy, scal and nrm2 match naive loops, with offsets and odd lengths', () => {
  const x = randomMatrix(1, 37, 1);
  const y32 = Float32Array.from(randomMatrix(1, 40, 2));
  let naive = 0;
  for (let k = 0; k < 31; k++) naive += x[3 + k]! * y32[5 + k]!;
  assert.ok(Math.abs(dot(31, x, 3, y32, 5) - naive) < 1e-12);
  const y = Float64Array.from(y32);
  const expected = Float64Array.from(y);
  for (let k = 0; k < 31; k++) expected[5 + k]! += 0.5 * x[3 + k]!;
  axpy(31, 0.5, x, 3, y, 5);
  assert.deepEqual(y, expected);
  scal(4, 2, y, 1);
  for (let k = 1; k < 5; k++) assert.equal(y[k], 2 * expected[k]!);
  assert.ok(Math.abs(nrm2(37, x) - Math.sqrt(x.reduce((s, v) => s + v * v, 0))) < 1e-12);
});
