import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AttributeTableBuilder } from '../../src/data/attributes.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { createModel } from '../../src/models/index.js';
import { removeCommonComponent } from '../../src/text/common-component.js';
import { itemTexts, readableTitle } from '../../src/text/item-text.js';
import { itemTextVectors } from '../../src/text/item-vectors.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'unirec-iv-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

test('item text: readable titles, labels joined, id-like labels and placeholders skipped', () => {
  assert.equal(readableTitle('American President, The (1995)'), 'The American President');
  assert.equal(readableTitle("Babylon 5 (1993-1998)"), 'Babylon 5');
  assert.equal(readableTitle('Toy Story (1995)'), 'Toy Story');
  const b = new AttributeTableBuilder({ title: 'text', genres: 'multi', attributes: 'multi', year: 'numeric' });
  b.setText('title', 0, 'Matrix, The (1999)');
  b.setMulti('genres', 0, ['Action', 'Sci-Fi']);
  b.setMulti('attributes', 0, ['17', '42']);
  b.setNumeric('year', 0, 1999);
  b.setMulti('genres', 1, ['(no genres listed)']);
  b.setMulti('attributes', 1, ['3']);
  const texts = itemTexts(b.build(2));
  assert.equal(texts[0], 'The Matrix. Action, Sci-Fi');
  assert.equal(texts[1], undefined);
});

test('common component removal: vectors lose their shared direction and stay unit length', () => {
  const dim = 3;
  // all rows share a large component along (1, 1, 1)
  const v = Float32Array.from([5, 5, 6, 5, 6, 5, 6, 5, 5, 5, 5, 5.5]);
  removeCommonComponent(v, dim);
  for (let r = 0; r < 4; r++) {
    const row = v.subarray(r * dim, (r + 1) * dim);
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
  }
  // rows 0..2 were permutations of (5, 5, 6): after removal they are far apart, not ~parallel
  const cos = (a: number, b: number) => v[a * 3]! * v[b * 3]! + v[a * 3 + 1]! * v[b * 3 + 1]! + v[a * 3 + 2]! * v[b * 3 + 2]!;
  assert.ok(cos(0, 1) < 0, `cos after removal ${cos(0, 1)}`);
});

test('content with use-lite vectors: a cold item is scored by the meaning of its text; the explanation says so', async () => {
  const films = [
    ['Alien Invasion from Outer Space', 'Sci-Fi'],
    ['Robots on a Distant Planet', 'Sci-Fi'],
    ['A Wedding in Paris', 'Romance'],
    ['Love Letters', 'Romance'],
    ['Galaxy Starship Battle', 'Drama'], // cold, space by its title only
    ['The Bride and the Groom', 'Drama'], // cold, romance by its title only
  ];
  const b = new AttributeTableBuilder({ title: 'text', genres: 'multi' });
  films.forEach(([t, g], i) => {
    b.setText('title', i, t);
    b.setMulti('genres', i, [g!]);
  });
  const x = new Interactions(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 2, 3), new Float32Array(4).fill(1), Float64Array.of(1, 2, 1, 2));
  const train = makeTrainData(x, 2, films.length, { itemTable: b.build(films.length) });
  const vectors = await itemTextVectors(train.itemTable!, { encoder: 'use-lite', cache: join(cacheDir, 'v.sqlite') });
  assert.equal(vectors.dim, 512);
  process.env.UNIREC_CACHE_DIR = cacheDir;
  const model = createModel('content', { textEncoder: 'use-lite' });
  await model.fit(train, { seed: 1, threads: 1 });
  const s0 = new Float32Array(6);
  const s1 = new Float32Array(6);
  model.scoreUser(0, s0);
  model.scoreUser(1, s1);
  assert.ok(s0[4]! > s0[5]!, `space fan: starship ${s0[4]} vs bride ${s0[5]}`);
  assert.ok(s1[5]! > s1[4]!, `romance fan: bride ${s1[5]} vs starship ${s1[4]}`);
  const reasons = model.explain!(0, 4, 3);
  assert.match(reasons[0]!.text, /similar text: text vector \(use-lite\)/);
  // without the encoder the cold items share nothing with either user (their titles' words are new)
  const plain = createModel('content');
  await plain.fit(train, { seed: 1, threads: 1 });
  plain.scoreUser(0, s0);
  assert.equal(s0[4], 0);
});
