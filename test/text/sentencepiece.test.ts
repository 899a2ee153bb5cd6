import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SentencePieceTokenizer, type SentencePieceVocabulary } from '../../src/text/sentencepiece.js';
import { useLitePackageFolder } from '../../src/text/use-lite.js';

// six reserved entries, then pieces with log-probabilities
const VOCAB: SentencePieceVocabulary = [
  ['<unk>', 0], ['<s>', 0], ['</s>', 0], ['x1', 0], ['x2', 0], ['x3', 0],
  ['▁', -2], ['a', -3], ['I', -4], ['▁I', -2.5], ['.', -2], ['▁like', -3], ['▁it', -3], ['like', -4], ['it', -4],
  ['l', -6], ['i', -6], ['k', -6], ['e', -6], ['t', -6], ['▁a', -3.5], ['ç', -5], ['c', -5],
];

test('sentencepiece: Viterbi picks the best-scoring segmentation', () => {
  const tok = new SentencePieceTokenizer(VOCAB);
  // with spaces the word pieces win; without, "like" and "it" are inner pieces
  assert.deepEqual(tok.pieces(tok.encode('I like it.')), ['▁I', '▁like', '▁it', '.']);
  assert.deepEqual(tok.pieces(tok.encode('Ilikeit.')), ['▁I', 'like', 'it', '.']);
  // reserved ids are never produced, even when a reserved string appears in the text
  assert.ok(tok.encode('x1 x2').every((id) => id === 0 || id >= 6));
  assert.deepEqual(tok.encode(''), []);
});

test('sentencepiece: NFKC input, unknown characters become one unknown token', () => {
  const tok = new SentencePieceTokenizer(VOCAB);
  assert.deepEqual(tok.encode('ça'), tok.encode('c\u0327a'));
  assert.equal(SentencePieceTokenizer.normalize('ﬁ a'), '▁fi▁a');
  // "a" then two unknown emoji: one unknown token for both
  assert.deepEqual(tok.encode('a😹😹'), [20, 0]);
  assert.deepEqual(tok.encode('a😹a😹'), [20, 0, 7, 0]);
  assert.throws(() => new SentencePieceTokenizer([['a', 1]] as never), /more than 6/);
  assert.throws(() => new SentencePieceTokenizer([...VOCAB, ['b', 'x']] as never), /entry 23/);
});

test('sentencepiece: the USE-lite vocabulary tokenizes as its reference tokenizer', () => {
  const vocab = JSON.parse(readFileSync(`${useLitePackageFolder()}/vocab.json`, 'utf8')) as SentencePieceVocabulary;
  const tok = new SentencePieceTokenizer(vocab);
  assert.equal(vocab.length, 8000);
  assert.deepEqual(tok.pieces(tok.encode("Schindler's List")), ['▁Sch', 'in', 'd', 'ler', "'", 's', '▁List']);
  assert.deepEqual(tok.pieces(tok.encode('Toy Story 2')), ['▁To', 'y', '▁St', 'ory', '▁2']);
  // cased vocabulary: case changes the pieces
  assert.notDeepEqual(tok.encode('toy story'), tok.encode('Toy Story'));
  // every id is a real piece or the unknown id, and the pieces spell the text back
  const text = 'Amélie (2001) – a whimsical Parisian café';
  const ids = tok.encode(text);
  assert.ok(ids.every((id) => id === 0 || (id >= 6 && id < 8000)));
  assert.equal(tok.pieces(ids).join('').replace(/▁/g, ' ').trim(), text.normalize('NFKC'));
});
