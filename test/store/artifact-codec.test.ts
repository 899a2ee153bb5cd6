import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteLength, chunksOf, concatBytes } from '../../src/store/artifact-bytes.js';
import { decodeArtifact, encodeArtifact, encodeArtifactPieces } from '../../src/store/artifact-codec.js';
import type { ModelArtifact } from '../../src/models/recommender.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { createModel, loadModel } from '../../src/models/index.js';

test('an artifact round-trips: every array type, odd lengths, empty arrays, params, meta and ids', () => {
  const artifact: ModelArtifact = {
    model: 'itemknn',
    version: 3,
    params: { k: 5, weighting: 'bm25', nested: { a: [1, 2] } },
    meta: { nItems: 7, note: 'ünïcödé ✓' },
    arrays: {
      f32: Float32Array.from([1.5, -2.25, Math.PI]),
      f64: Float64Array.from([Number.MAX_VALUE, -0, 1e-300, 42]),
      i32: Int32Array.from([-1, 0, 2147483647, -2147483648, 5]),
      u8: Uint8Array.from([0, 1, 255]),
      empty: new Float32Array(0),
      // a view into a bigger buffer: only the view's bytes are written
      view: new Int32Array([9, 8, 7, 6, 5]).subarray(1, 4),
    },
  };
  const ids = { users: ['u1', 'u 2', 'ü3'], items: ['a', 'b'] };
  const bytes = encodeArtifact(artifact, ids);
  const back = decodeArtifact(bytes);
  assert.deepEqual(back.ids, ids);
  assert.equal(back.artifact.model, 'itemknn');
  assert.equal(back.artifact.version, 3);
  assert.deepEqual(back.artifact.params, artifact.params);
  assert.deepEqual(back.artifact.meta, artifact.meta);
  for (const [name, a] of Object.entries(artifact.arrays)) {
    const b = back.artifact.arrays[name]!;
    assert.equal(b.constructor, a.constructor, name);
    assert.deepEqual(Array.from(b), Array.from(a), name);
  }
  // Decoding from an unaligned copy (as a database driver may hand it over) gives the same arrays.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.deepEqual(Array.from(decodeArtifact(shifted.subarray(3)).artifact.arrays.f64!), Array.from(artifact.arrays.f64!));
});

test('a fitted model survives encode -> decode -> loadModel with identical scores', async () => {
  const x = new Interactions(Int32Array.from([0, 0, 1, 1, 2, 2, 3]), Int32Array.from([0, 1, 1, 2, 0, 2, 3]), new Float32Array(7).fill(1), new Float64Array(7));
  const train = makeTrainData(x, 4, 4);
  const model = createModel('itemknn', { k: 3 });
  await model.fit(train, { seed: 1, threads: 1 });
  const again = loadModel(decodeArtifact(encodeArtifact(model.save())).artifact);
  const a = new Float32Array(4);
  const b = new Float32Array(4);
  for (let u = 0; u < 4; u++) {
    model.scoreUser(u, a);
    again.scoreUser(u, b);
    assert.deepEqual(Array.from(b), Array.from(a));
  }
});

test('damaged bytes are refused with a clear error, not garbage', () => {
  const bytes = encodeArtifact({ model: 'popularity', version: 1, params: {}, meta: {}, arrays: { scores: Float32Array.from([1, 2, 3]) } });
  assert.throws(() => decodeArtifact(new Uint8Array(5)), /not a readable unirec model artifact: wrong magic/);
  const badFormat = bytes.slice();
  badFormat[4] = 99;
  assert.throws(() => decodeArtifact(badFormat), /format version 99/);
  // the 12 bytes of scores are padded to 16: cutting 6 bytes cuts into the array itself
  assert.throws(() => decodeArtifact(bytes.subarray(0, bytes.length - 6)), /runs past the end/);
  const badHeader = bytes.slice();
  badHeader[12] = 0x7b + 1; // the header's opening brace
  assert.throws(() => decodeArtifact(badHeader), /header is not JSON/);
});

/** Every chunk, each copied out (a chunk that spans pieces lives in a scratch buffer reused for the next). */
const copiedChunks = (bytes: Uint8Array | Uint8Array[], size: number): Uint8Array[] => Array.from(chunksOf(bytes, size), (c) => c.slice());

test('an artifact is written as pieces without copying its arrays, and read back from chunks of any size', () => {
  const big = Float64Array.from({ length: 301 }, (_, i) => i * 1.5 - 7);
  const artifact: ModelArtifact = {
    model: 'itemknn',
    version: 3,
    params: { k: 5 },
    meta: {},
    arrays: { f32: Float32Array.from([1, 2, 3]), big, u8: Uint8Array.from([7]), i32: Int32Array.from([-5, 6]) },
  };
  const ids = { users: ['u'], items: ['a', 'b'] };
  const parts = encodeArtifactPieces(artifact, ids);
  assert.ok(parts.some((p) => p.buffer === big.buffer), 'the big array goes in as a view on its own memory');
  const whole = encodeArtifact(artifact, ids);
  assert.deepEqual(Array.from(concatBytes(parts)), Array.from(whole), 'pieces and one array are the same bytes');
  assert.equal(byteLength(parts), whole.length);
  // Chunk sizes that cut the header, the arrays and the padding at every kind of place.
  for (const size of [1, 5, 8, 13, 64, 1000, whole.length, whole.length + 1]) {
    const chunks = copiedChunks(parts, size);
    assert.equal(chunks.length, Math.ceil(whole.length / size), `size ${size}`);
    assert.ok(chunks.slice(0, -1).every((c) => c.length === size));
    const back = decodeArtifact(chunks);
    assert.deepEqual(back.ids, ids);
    for (const [name, a] of Object.entries(artifact.arrays)) assert.deepEqual(Array.from(back.artifact.arrays[name]!), Array.from(a), `${name} from ${size}-byte chunks`);
  }
  assert.throws(() => [...chunksOf(parts, 0)], /chunk size must be a positive integer/);
  // A chunk missing from the middle is an artifact that runs past its end or reads wrong, never a crash.
  const chunks = copiedChunks(whole, 64);
  assert.throws(() => decodeArtifact(chunks.slice(0, -2)), /runs past the end/);
});
