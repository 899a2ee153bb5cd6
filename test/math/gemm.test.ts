import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemm } from '../../src/math/gemm.js';
import { maxDiff, naiveMatmul, randomMatrix, transpose } from '../helpers/matrices.js';

test('gemm matches a naive product for every transpose combination, ragged sizes and alpha/beta', () => {
  // sizes straddle the 4 x 4 micro-tile and the 64 / 128 panel blocks
  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 3, 7],
    [67, 130, 66],
    [130, 9, 131],
  ] as const) {
    const a = randomMatrix(m, k, m + k);
    const b = randomMatrix(k, n, k + n);
    const c0 = randomMatrix(m, n, 3);
    const ab = naiveMatmul(a, b, m, k, n);
    const expected = c0.map((v, i) => 0.5 * v + 2 * ab[i]!);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const c = Float64Array.from(c0);
        gemm(m, n, k, 2, transA ? transpose(a, m, k) : a, transB ? transpose(b, k, n) : b, 0.5, c, transA, transB);
        assert.ok(maxDiff(c, expected) < 1e-10, `m=${m} k=${k} n=${n} transA=${transA} transB=${transB}`);
      }
    }
  }
});

test('gemm writes into Float32Array outputs and reads Float32Array inputs', () => {
  const a = Float32Array.from(randomMatrix(9, 6, 1));
  const b = Float32Array.from(randomMatrix(6, 5, 2));
  const c = new Float32Array(45);
  gemm(9, 5, 6, 1, a, b, 0, c);
  assert.ok(maxDiff(c, naiveMatmul(a, b, 9, 6, 5)) < 1e-5);
});
