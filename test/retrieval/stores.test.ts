import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plantedTaste } from '../../src/data/planted-taste.js';
import { Rng } from '../../src/math/rng.js';
import { FLOAT16_TABLE, toFloat16 } from '../../src/retrieval/float16.js';
import { Float16Store } from '../../src/retrieval/float16-store.js';
import { Int8Store } from '../../src/retrieval/int8-store.js';
import { Float32Store } from '../../src/retrieval/float32-store.js';
import { encodeVectors, vectorsFromArrays } from '../../src/retrieval/stores.js';
import { queryOf } from '../../src/retrieval/vector-store.js';

test('float16: exact on representable values, round-to-nearest-even, relative error <= 2^-11', () => {
  for (const v of [0, 1, -1, 0.5, 65504, -2.5, 2 ** -14, 2 ** -24, 1 + 2 ** -10]) assert.equal(FLOAT16_TABLE[toFloat16(v)], v);
  assert.equal(FLOAT16_TABLE[toFloat16(1 + 2 ** -11)], 1); // halfway: ties to even (1.0)
  assert.equal(FLOAT16_TABLE[toFloat16(1 + 3 * 2 ** -11)], 1 + 2 ** -9); // halfway: ties to even (up)
  assert.equal(FLOAT16_TABLE[toFloat16(1e6)], Infinity);
  const rng = new Rng(3);
  for (let t = 0; t < 10000; t++) {
    const v = rng.normal() * 10 ** (rng.int(6) - 3);
    const back = FLOAT16_TABLE[toFloat16(v)]!;
    assert.ok(Math.abs(back - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v} -> ${back}`);
  }
});

test('int8 and float16 scores stay within their stated error of the float32 score', () => {
  const { itemVectors, userVectors, dim } = plantedTaste({ users: 50, items: 500, dim: 32, seed: 5 });
  const n = 500;
  const exact = new Float32Store(itemVectors, n, dim);
  const i8 = Int8Store.encode(itemVectors, n, dim);
  const f16 = Float16Store.encode(itemVectors, n, dim);
  const [e, a, b, c] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  let worstI8 = 0;
  for (let u = 0; u < 50; u++) {
    const q = queryOf(userVectors, u * dim, dim);
    let l1 = 0;
    for (let k = 0; k < dim; k++) l1 += Math.abs(q[k]!);
    exact.scoreAll(q, e);
    i8.scoreAll(q, a);
    f16.scoreAll(q, b);
    i8.scoreQuantized(q, c);
    for (let i = 0; i < n; i++) {
      let maxAbs = 0;
      let qy = 0;
      for (let k = 0; k < dim; k++) {
        maxAbs = Math.max(maxAbs, Math.abs(itemVectors[i * dim + k]!));
        qy += Math.abs(q[k]! * itemVectors[i * dim + k]!);
      }
      const bound8 = (l1 * maxAbs) / 127 / 2;
      assert.ok(Math.abs(a[i]! - e[i]!) <= bound8 * 1.0001 + 1e-6, `int8 user ${u} item ${i}: ${a[i]} vs ${e[i]} (bound ${bound8})`);
      assert.ok(Math.abs(i8.dot(q, i) - a[i]!) <= 1e-5 * (1 + Math.abs(a[i]!)));
      assert.ok(Math.abs(b[i]! - e[i]!) <= qy * 2 ** -11 + 1e-6, `float16 user ${u} item ${i}: ${b[i]} vs ${e[i]}`);
      worstI8 = Math.max(worstI8, Math.abs(a[i]! - e[i]!) / bound8);
      // the quantized pass adds the query's rounding: at most ||decoded row||_1 * sq / 2
      let rowL1 = 0;
      const row = new Float32Array(dim);
      i8.decode(i, row);
      for (let k = 0; k < dim; k++) rowL1 += Math.abs(row[k]!);
      let qmax = 0;
      for (let k = 0; k < dim; k++) qmax = Math.max(qmax, Math.abs(q[k]!));
      assert.ok(Math.abs(c[i]! - a[i]!) <= (rowL1 * qmax) / 127 / 2 + 1e-5);
    }
  }
  assert.ok(worstI8 > 0.01, 'the int8 bound is not vacuous: some error is seen');
});

test('stores round-trip through their artifact arrays and append rows', () => {
  const { itemVectors, dim } = plantedTaste({ users: 1, items: 40, dim: 8, seed: 2 });
  for (const kind of ['float32', 'float16', 'int8'] as const) {
    const s = encodeVectors(kind, itemVectors.slice(0, 30 * dim), 30, dim);
    assert.equal(s.append(itemVectors.subarray(30 * dim, 31 * dim)), 30);
    const arrays = structuredClone(s.arrays('items'));
    const back = vectorsFromArrays(arrays, 'items', 31, dim)!;
    assert.equal(back.kind, kind);
    const q = queryOf(itemVectors, 5 * dim, dim);
    const [x, y] = [new Float32Array(31), new Float32Array(31)];
    s.scoreAll(q, x);
    back.scoreAll(q, y);
    assert.deepEqual(y, x);
    const bytesPerRow = { float32: 4 * dim, float16: 2 * dim, int8: dim + 4 }[kind];
    assert.equal(s.bytes, 31 * bytesPerRow);
  }
});
