import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { topK } from '../../src/math/topk.js';

test('topK matches a full sort, with exclusions and ties broken by lower index', () => {
  const rng = new Rng(42);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + rng.int(300);
    const scores = new Float32Array(n).map(() => Math.round(rng.next() * 20) / 4); // many ties
    const exclude = new Uint8Array(n).map(() => (rng.next() < 0.2 ? 1 : 0));
    const k = rng.int(40);
    const expected = Array.from(scores, (s, i) => [s, i] as const)
      .filter(([, i]) => !exclude[i])
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, k);
    const got = topK(scores, k, exclude);
    assert.deepEqual(Array.from(got.indices), expected.map(([, i]) => i));
    assert.deepEqual(Array.from(got.scores), expected.map(([s]) => s));
  }
});

test('topK never returns NaN or -Infinity scores', () => {
  const got = topK(Float32Array.from([NaN, -Infinity, 1, 0.5]), 4);
  assert.deepEqual(Array.from(got.indices), [2, 3]);
});

test('Rng is deterministic per seed and uniform enough', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const xs = Array.from({ length: 10000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => b.next()));
  assert.notEqual(xs[0], c.next());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
