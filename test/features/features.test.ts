import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AttributeTableBuilder, type AttributeTable } from '../../src/data/attributes.js';
import { assembleFeatures, featureIndex, sparseDot, type FeatureMatrix } from '../../src/features/block.js';
import { multiHot, oneHot } from '../../src/features/categorical.js';
import { itemFeatures } from '../../src/features/item.js';
import { binOf, bucketBlock, fitBins, fitStandardizer, standardBlock } from '../../src/features/numeric.js';
import { TextVectorizer, textBlock } from '../../src/features/text.js';
import { tokenize } from '../../src/features/tokenize.js';
import { ageBucket, discreteUserAttributes, encodeAttribute, userFeatures } from '../../src/features/user.js';

const close = (a: number, b: number, eps = 1e-5) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

function rowOf(f: FeatureMatrix, r: number): Record<string, number> {
  const out: Record<string, number> = {};
  const m = f.matrix;
  for (let k = m.indptr[r]!; k < m.indptr[r + 1]!; k++) out[f.names[m.indices[k]!]!] = m.data[k]!;
  return out;
}

/** Six films: title, genres, tags, year, studio. */
function films(): AttributeTable {
  const b = new AttributeTableBuilder({ title: 'text', genres: 'multi', tags: 'multi', year: 'numeric', studio: 'categorical' });
  const rows: [string, string[], string[], number, string | undefined][] = [
    ['Toy Story (1995)', ['Animation', 'Children', 'Comedy'], ['pixar', 'toys'], 1995, 'Pixar'],
    ['Toy Story 2 (1999)', ['Animation', 'Children', 'Comedy'], ['pixar', 'toys', 'sequel'], 1999, 'Pixar'],
    ['Heat (1995)', ['Action', 'Crime', 'Thriller'], ['heist'], 1995, 'Warner'],
    ['The Heat of the Night (1967)', ['Crime', 'Drama'], [], 1967, undefined],
    ['Amélie (2001)', ['Comedy', 'Romance'], ['paris', 'quirky'], 2001, 'UGC'],
    ['Monsters, Inc. (2001)', ['Animation', 'Children', 'Comedy'], ['pixar'], 2001, 'Pixar'],
  ];
  rows.forEach(([title, genres, tags, year, studio], r) => {
    b.setText('title', r, title);
    b.setMulti('genres', r, genres);
    b.setMulti('tags', r, tags);
    b.setNumeric('year', r, year);
    b.setCategorical('studio', r, studio);
  });
  return b.build(rows.length);
}

test('tokenize: lower case, unicode words, diacritics folded, stop words and numbers dropped', () => {
  assert.deepEqual(tokenize("The Shawshank Redemption (1994)"), ['shawshank', 'redemption']);
  assert.deepEqual(tokenize('Amélie, AMELIE & amelie!'), ['amelie', 'amelie', 'amelie']);
  assert.deepEqual(tokenize("Schindler's List"), ['schindler', 'list']);
  assert.deepEqual(tokenize("L'Étranger d'Albert Camus"), ['etranger', 'albert', 'camus']);
  assert.deepEqual(tokenize('Ｔｏｋｙｏ　ＳＴＯＲＹ'), ['tokyo', 'story']); // full-width forms (NFKC)
  assert.deepEqual(tokenize('Москва слезам не верит'), ['москва', 'слезам', 'не', 'верит']);
  // Han characters are tokens one by one; single kana are too short
  assert.deepEqual(tokenize('千と千尋の神隠し'), ['千', '千', '尋', '神', '隠']);
  assert.deepEqual(tokenize('Se7en 1995', { keepNumbers: true }), ['se7en', '1995']);
  assert.deepEqual(tokenize('the end', { stopWords: new Set() }), ['the', 'end']);
  assert.deepEqual(tokenize(''), []);
});

test('one-hot and multi-hot: one feature per value, rare values dropped, idf weighting', () => {
  const t = films();
  const studio = oneHot('studio', t.get('studio') as any, { minCount: 1 });
  assert.deepEqual(studio.names, ['studio: Pixar', 'studio: Warner', 'studio: UGC']);
  assert.deepEqual(Array.from(studio.values.rowIndices(0)), [0]);
  assert.equal(studio.values.rowLength(3), 0, 'missing value: no feature');
  const frequent = oneHot('studio', t.get('studio') as any, { minCount: 2 });
  assert.deepEqual(frequent.names, ['studio: Pixar']);

  const genres = multiHot('genres', t.get('genres') as any, { weighting: 'idf' });
  assert.ok(genres.names.includes('genre: Comedy'));
  const comedy = genres.names.indexOf('genre: Comedy');
  const thriller = genres.names.indexOf('genre: Thriller');
  assert.ok(genres.values.get(2, thriller) > genres.values.get(0, comedy), 'a rare genre weighs more than a common one');
  const tags = multiHot('tags', t.get('tags') as any, { minCount: 2 });
  assert.deepEqual(tags.names, ['tag: pixar', 'tag: toys']);
  assert.equal(tags.values.rowLength(3), 0);
});

test('numeric: standardised values and quantile bins with readable ranges', () => {
  const v = Float64Array.from([1, 2, 3, 4, NaN, 6]);
  const s = fitStandardizer(v);
  close(s.mean, 16 / 5);
  const z = standardBlock('price', v, s);
  assert.equal(z.values.rowLength(4), 0, 'missing: no entry');
  close(z.values.get(5, 0), (6 - s.mean) / s.std);

  const years = Float64Array.from([1995, 1999, 1995, 1967, 2001, 2001, NaN]);
  const bins = fitBins('year', years, 3);
  assert.deepEqual(bins.edges, [1995, 2001]);
  assert.deepEqual(bins.labels, ['year: 1967', 'year: 1995–1999', 'year: 2001']);
  assert.equal(binOf(bins.edges, 1990), 0);
  assert.equal(binOf(bins.edges, 2001), 2);
  assert.equal(binOf(bins.edges, NaN), -1);
  const block = bucketBlock('year', years, bins);
  assert.deepEqual(Array.from(block.values.rowIndices(1)), [1]);
  assert.equal(block.values.rowLength(6), 0);
  // heavy ties: never a repeated edge
  assert.deepEqual(fitBins('x', Float64Array.from([5, 5, 5, 5, 5, 9]), 4).edges, []);
});

test('text: tf-idf and BM25 vocabularies skip rare and ubiquitous terms and weight repeats sublinearly', () => {
  const docs = ['red apple pie', 'green apple', 'apple apple apple cider', 'red wine', undefined];
  const v = new TextVectorizer({ minDf: 2, maxDf: 0.5 }).fit(docs);
  assert.deepEqual(v.terms, ['red'], 'apple is in 3 of 5 docs (> maxDf), pie/green/cider/wine in 1');
  const all = new TextVectorizer({ minDf: 1, maxDf: 1 }).fit(docs);
  const apple = all.vocab.get('apple')!;
  const w1 = all.transform('apple').get(apple)!;
  const w3 = all.transform('apple apple apple').get(apple)!;
  close(w3 / w1, 1 + Math.log(3));
  assert.ok(all.idf[all.vocab.get('cider')!]! > all.idf[apple]!, 'rarer terms get a larger idf');
  const bm = new TextVectorizer({ minDf: 1, maxDf: 1, weighting: 'bm25' }).fit(docs);
  const b1 = bm.transform('apple').get(bm.vocab.get('apple')!)!;
  const b3 = bm.transform('apple apple apple').get(bm.vocab.get('apple')!)!;
  assert.ok(b3 > b1 && b3 < 2.2 * b1, `bm25 saturates: ${b1} -> ${b3}`);
  const block = textBlock('title', docs, { minDf: 1, maxDf: 1 });
  assert.ok(block.names.includes('title: cider'));
  assert.equal(block.values.rowLength(4), 0);
});

test('assembleFeatures: blocks weighted, rows unit length, names kept', () => {
  const t = films();
  const a = multiHot('genres', t.get('genres') as any);
  const b = oneHot('studio', t.get('studio') as any);
  const f = assembleFeatures(t.size, [a, b], (c) => (c === 'studio' ? 2 : 1), 'row');
  assert.equal(f.names.length, a.names.length + b.names.length);
  assert.deepEqual(f.blocks.map((x) => [x.column, x.start, x.end]), [['genres', 0, a.names.length], ['studio', a.names.length, f.names.length]]);
  for (let r = 0; r < t.size; r++) close(sparseDot(f.matrix, r, f.matrix, r), 1);
  // Toy Story: 3 genres share norm 1, studio has norm 2 -> studio carries 4/5 of the squared norm
  close(rowOf(f, 0)['studio: Pixar']! ** 2, 4 / 5);
  // 'mean' scale: blocks scaled as a whole, so a film with three genres keeps more genre mass than one with two
  const m = assembleFeatures(t.size, [a, b], () => 1, 'mean');
  for (let r = 0; r < t.size; r++) close(sparseDot(m.matrix, r, m.matrix, r), 1);
  const studioShare = (r: number) => Object.entries(rowOf(m, r)).filter(([n]) => n.startsWith('studio')).reduce((s, [, v]) => s + v * v, 0);
  assert.ok(studioShare(0) < studioShare(4), `${studioShare(0)} < ${studioShare(4)}`);
  const dropped = assembleFeatures(t.size, [a, b], (c) => (c === 'studio' ? 0 : 1));
  assert.equal(dropped.names.length, a.names.length);
});

test('itemFeatures: an encoding per column kind; similar films are near, different ones far', () => {
  const t = films();
  const f = itemFeatures(t, { text: { minDf: 2 } });
  const columns = f.blocks.map((b) => b.column);
  assert.deepEqual(columns.sort(), ['genres', 'studio', 'tags', 'title', 'year']);
  assert.ok(featureIndex(f, 'genre: Comedy') >= 0);
  assert.ok(featureIndex(f, 'tag: pixar') >= 0);
  assert.ok(featureIndex(f, 'title: toy') >= 0);
  assert.ok(featureIndex(f, 'title: heat') >= 0);
  assert.ok(f.names.some((n) => n.startsWith('year: ')));
  const cos = (x: number, y: number) => sparseDot(f.matrix, x, f.matrix, y);
  assert.ok(cos(0, 1) > 0.8, `Toy Story ~ Toy Story 2: ${cos(0, 1)}`);
  assert.ok(cos(0, 5) > cos(0, 4), 'another Pixar film is nearer than a French comedy');
  assert.ok(cos(0, 4) > cos(0, 2), 'a comedy is nearer than a heist film');
  assert.ok(cos(2, 3) > cos(2, 0), 'Heat ~ In the Heat of the Night (crime, title word)');
  for (let r = 0; r < t.size; r++) close(cos(r, r), 1);
  // weights: without titles, Heat and the other film share only 'Crime'
  const noTitle = itemFeatures(t, { weights: { title: 0 } });
  assert.ok(!noTitle.names.some((n) => n.startsWith('title: ')));
  // id-like categorical columns are skipped
  const b = new AttributeTableBuilder({ sku: 'categorical' });
  for (let r = 0; r < 10; r++) b.setCategorical('sku', r, `s${r}`);
  assert.equal(itemFeatures(b.build(10)).names.length, 0);
});

test('user attributes: age groups, categorical groups, zip skipped, duplicate groupings dropped, new users encoded', () => {
  const b = new AttributeTableBuilder({ age: 'numeric', gender: 'categorical', occupation: 'categorical', zip: 'categorical', age_group: 'categorical' });
  const users: [number, string, string][] = [
    [15, 'M', 'student'],
    [22, 'F', 'student'],
    [30, 'M', 'engineer'],
    [47, 'F', 'artist'],
    [61, 'M', 'retired'],
    [24, 'F', 'engineer'],
  ];
  users.forEach(([age, gender, occ], r) => {
    b.setNumeric('age', r, age);
    b.setCategorical('gender', r, gender);
    b.setCategorical('occupation', r, occ);
    b.setCategorical('zip', r, `z${r}`);
    b.setCategorical('age_group', r, `g${ageBucket(age)}`);
  });
  const table = b.build(users.length);
  const attrs = discreteUserAttributes(table, { maxValues: 5 });
  assert.deepEqual(attrs.map((a) => a.column), ['age', 'gender', 'occupation'], 'zip has 6 values (> 5); age_group repeats age');
  const age = attrs[0]!;
  assert.deepEqual(Array.from(age.codes), [0, 1, 2, 4, 6, 1]);
  assert.equal(age.labels[1], 'age: 18–24');
  assert.equal(encodeAttribute(age, 33), 2);
  assert.equal(encodeAttribute(age, '50'), 5);
  assert.equal(encodeAttribute(attrs[1]!, 'F'), 1);
  assert.equal(encodeAttribute(attrs[1]!, 'X'), -1);
  assert.equal(encodeAttribute(attrs[1]!, undefined), -1);

  const f = userFeatures(table, { maxValues: 5 });
  assert.deepEqual(Object.keys(rowOf(f, 1)).sort(), ['age: 18–24', 'gender: F', 'occupation: student']);
  close(sparseDot(f.matrix, 1, f.matrix, 5), 2 / 3, 1e-5); // same age group and gender
});
