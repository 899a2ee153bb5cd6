import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gramDense, gramSparse, gramSparseRows, mirrorLower } from '../../src/math/gram.js';
import { dense, randomTrainData } from '../helpers/synthetic.js';
import { maxDiff, naiveMatmul, randomMatrix, transpose } from '../helpers/matrices.js';

test('gramDense equals X^T X computed naively', () => {
  for (const [m, n] of [
    [3, 2],
    [150, 70],
    [20, 133],
  ] as const) {
    const x = randomMatrix(m, n, m * n);
    const expected = naiveMatmul(transpose(x, m, n), x, n, m, n);
    assert.ok(maxDiff(gramDense(x, m, n), expected) < 1e-10, `${m} x ${n}`);
    assert.ok(maxDiff(gramDense(Float32Array.from(x), m, n), expected) < 1e-5);
  }
});

test('gramSparse equals X^T X of the dense matrix, binary and valued, whole or by row blocks', () => {
  const train = randomTrainData(50, 30, 0.2, 4);
  for (const binary of [false, true]) {
    const x = dense(train, binary).flat();
    const expected = naiveMatmul(transpose(x, 50, 30), x, 30, 50, 30);
    assert.ok(maxDiff(gramSparse(train.byUser, train.byItem, binary), expected) < 1e-9);
    const blocks = new Float64Array(900);
    for (const [from, to] of [
      [0, 7],
      [7, 8],
      [8, 30],
    ] as const)
      gramSparseRows(train.byUser, train.byItem, blocks, from, to, binary);
    mirrorLower(blocks, 30);
    assert.ok(maxDiff(blocks, expected) < 1e-9);
  }
});
