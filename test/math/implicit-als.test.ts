import assert from 'node:assert/strict';
import { test } from 'node:test';
import { solveSpd } from '../../src/math/cholesky.js';
import { alsScratch, implicitAlsRows } from '../../src/math/implicit-als.js';
import { maxDiff, randomMatrix } from '../helpers/matrices.js';
import { randomTrainData } from '../helpers/synthetic.js';

test('implicit ALS row solves converge to the exact normal-equation solution', () => {
  const train = randomTrainData(12, 40, 0.3, 3);
  const f = 6;
  const alpha = 2.5;
  const reg = 0.7;
  const y = Float32Array.from(randomMatrix(40, f, 1));
  const yty = new Float64Array(f * f);
  for (let i = 0; i < 40; i++) for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) yty[a * f + b]! += y[i * f + a]! * y[i * f + b]!;
  for (let a = 0; a < f; a++) yty[a * f + a]! += reg;
  for (const binary of [true, false]) {
    const x = new Float32Array(12 * f);
    // f CG steps solve an f x f system exactly (up to rounding); a second sweep polishes float32 storage
    for (let rep = 0; rep < 2; rep++) implicitAlsRows(train.byUser, x, y, yty, f, alpha, f, binary, 0, 12, alsScratch(f));
    for (let u = 0; u < 12; u++) {
      const a = Float64Array.from(yty);
      const b = new Float64Array(f);
      const items = train.byUser.rowIndices(u);
      const values = train.byUser.rowData(u);
      for (let t = 0; t < items.length; t++) {
        const w = alpha * (binary ? 1 : values[t]!);
        const yo = items[t]! * f;
        for (let p = 0; p < f; p++) {
          b[p]! += (1 + w) * y[yo + p]!;
          for (let q = 0; q < f; q++) a[p * f + q]! += w * y[yo + p]! * y[yo + q]!;
        }
      }
      const exact = solveSpd(a, f, b);
      assert.ok(maxDiff(x.subarray(u * f, (u + 1) * f), exact) < 1e-4, `binary=${binary} user ${u}`);
    }
  }
});

test('implicit ALS row blocks give the same result whatever the blocking', () => {
  const train = randomTrainData(30, 20, 0.3, 5);
  const f = 4;
  const y = Float32Array.from(randomMatrix(20, f, 2));
  const yty = new Float64Array(f * f);
  for (let a = 0; a < f; a++) yty[a * f + a] = 3;
  const whole = Float32Array.from(randomMatrix(30, f, 4));
  const parts = Float32Array.from(whole);
  implicitAlsRows(train.byUser, whole, y, yty, f, 1, 3, true, 0, 30, alsScratch(f));
  implicitAlsRows(train.byUser, parts, y, yty, f, 1, 3, true, 17, 30, alsScratch(f));
  implicitAlsRows(train.byUser, parts, y, yty, f, 1, 3, true, 0, 17, alsScratch(f));
  assert.deepEqual(parts, whole);
});
