import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { normalizeVectors, type TextEncoder } from '../../src/text/encoder.js';
import { GloveEncoder } from '../../src/text/glove.js';
import { loadTextEncoder } from '../../src/text/load.js';
import { UseLiteEncoder } from '../../src/text/use-lite.js';
import { CachedEncoder, VectorCache } from '../../src/text/vector-cache.js';
import { GLOVE_PATH, HAVE_GLOVE, TRIPLES, triplesRight } from './models.js';

const dir = mkdtempSync(join(tmpdir(), 'unirec-text-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const norm = (v: Float32Array, dim: number, r: number) => Math.hypot(...v.subarray(r * dim, (r + 1) * dim));

test('use-lite: 512-d unit vectors that put similar titles closer than unrelated ones', async () => {
  const e = await UseLiteEncoder.load();
  assert.equal(e.dim, 512);
  const v = await e.encode([...TRIPLES.flat(), '']);
  const { right, wrong } = triplesRight(v, 512);
  assert.equal(right, TRIPLES.length, wrong.join('\n'));
  for (let r = 0; r < 3 * TRIPLES.length; r++) assert.ok(Math.abs(norm(v, 512, r) - 1) < 1e-5);
  // the empty text is the zero vector, and does not shift its neighbours in the batch
  assert.equal(norm(v, 512, 3 * TRIPLES.length), 0);
  const alone = await e.encode(['Toy Story']);
  for (let k = 0; k < 512; k++) assert.ok(Math.abs(alone[k]! - v[k]!) < 1e-4);
  await assert.rejects(UseLiteEncoder.load({ path: join(dir, 'nowhere') }), /use-lite: cannot read .*model\.json/);
});

test('glove: SIF-weighted average puts similar titles closer than unrelated ones', { skip: !HAVE_GLOVE && `no GloVe folder at ${GLOVE_PATH}` }, async () => {
  const e = await GloveEncoder.load({ path: GLOVE_PATH });
  assert.equal(e.dim, 100);
  const v = await e.encode([...TRIPLES.flat(), 'qqzxv zzyzx']);
  const { right, wrong } = triplesRight(v, 100);
  // word averages miss a few a sentence encoder gets (sequels with new words)
  assert.ok(right >= 8, `${right}/10 right:\n${wrong.join('\n')}`);
  assert.equal(norm(v, 100, 3 * TRIPLES.length), 0, 'all out-of-vocabulary text gives the zero vector');
  // frequent words weigh little: "the" adds almost nothing to "the matrix"
  assert.ok(e.weightOfRank(0) < 0.05 && e.weightOfRank(100_000) > 0.9);
  assert.deepEqual(GloveEncoder.words("Schindler's List isn't Sci-Fi"), ['schindler', "'s", 'list', 'is', "n't", 'sci-fi']);
  const saved = process.env.UNIREC_GLOVE_PATH;
  delete process.env.UNIREC_GLOVE_PATH;
  try {
    await assert.rejects(GloveEncoder.load(), /UNIREC_GLOVE_PATH/);
  } finally {
    if (saved !== undefined) process.env.UNIREC_GLOVE_PATH = saved;
  }
});

/** A fake encoder that counts the texts it is asked for. */
class Counting implements TextEncoder {
  readonly name = 'counting';
  readonly dim = 4;
  readonly cacheKey = 'counting:v1';
  seen: string[] = [];
  async encode(texts: readonly string[]): Promise<Float32Array> {
    this.seen.push(...texts);
    const out = new Float32Array(texts.length * 4);
    texts.forEach((t, r) => {
      for (let k = 0; k < 4; k++) out[r * 4 + k] = Math.sin(t.length + k * t.charCodeAt(0));
    });
    return normalizeVectors(out, 4);
  }
}

test('vector cache: a hit returns identical vectors without running the encoder; each text encoded once', async () => {
  const inner = new Counting();
  const path = join(dir, 'cache.sqlite');
  const first = new CachedEncoder(inner, new VectorCache(path));
  const a = await first.encode(['alpha', 'beta', 'alpha', 'gamma']);
  assert.deepEqual(inner.seen, ['alpha', 'beta', 'gamma'], 'duplicates within a call are encoded once');
  assert.deepEqual(a.subarray(0, 4), a.subarray(8, 12));
  first.dispose();
  // a new process-like handle on the same file: nothing is encoded again
  const second = new CachedEncoder(inner, new VectorCache(path));
  const b = await second.encode(['gamma', 'alpha', 'delta']);
  assert.deepEqual(inner.seen, ['alpha', 'beta', 'gamma', 'delta']);
  assert.deepEqual(b.subarray(0, 4), a.subarray(12, 16));
  assert.deepEqual(b.subarray(4, 8), a.subarray(0, 4));
  assert.equal(second.cache.count('counting:v1'), 4);
  second.dispose();
});

test('vector cache with use-lite: the second encode of a catalogue runs no model and gives the same bits', async () => {
  const cache = join(dir, 'use.sqlite');
  const titles = TRIPLES.flat();
  const first = (await loadTextEncoder({ encoder: 'use-lite', cache })) as CachedEncoder;
  const a = await first.encode(titles);
  assert.equal(first.encodedCount, titles.length);
  first.dispose();
  const second = (await loadTextEncoder({ encoder: 'use-lite', cache })) as CachedEncoder;
  const t0 = performance.now();
  const b = await second.encode(titles);
  const ms = performance.now() - t0;
  assert.equal(second.encodedCount, 0, 'all from the cache');
  assert.deepEqual(b, a);
  assert.ok(ms < 200, `cached encode took ${ms} ms`);
  second.dispose();
});
