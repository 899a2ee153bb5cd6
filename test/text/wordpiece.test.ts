import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UnirecError } from '../../src/errors.js';
import { loadOnnxRuntime, OnnxEncoder } from '../../src/text/onnx.js';
import { WordPieceTokenizer } from '../../src/text/wordpiece.js';

const TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'toy', 'story', 'un', '##aff', '##able', '!', ',', 'cafe', '中', '文', "'", 's', 'schindler', 'list'];

function tokenizer(options = {}): WordPieceTokenizer {
  return WordPieceTokenizer.fromVocabText(TOKENS.join('\n') + '\n', options);
}

test('wordpiece: basic split, lower case, accents, greedy longest-match pieces, [CLS]/[SEP]', () => {
  const t = tokenizer();
  const ids = (words: string[]) => words.map((w) => TOKENS.indexOf(w));
  assert.deepEqual(t.basicTokens("Schindler's  LIST,\tthe Café!"), ['schindler', "'", 's', 'list', ',', 'the', 'cafe', '!']);
  assert.deepEqual(t.basicTokens('中文x'), ['中', '文', 'x']);
  assert.deepEqual(t.encode('Unaffable Toy Story!'), ids(['[CLS]', 'un', '##aff', '##able', 'toy', 'story', '!', '[SEP]']));
  // a word that cannot be cut whole is one [UNK], not partial pieces
  assert.deepEqual(t.encode('unaffablex'), ids(['[CLS]', '[UNK]', '[SEP]']));
  // truncation keeps [SEP] last
  const short = tokenizer({ maxLength: 4 });
  assert.deepEqual(short.encode('the toy story the toy'), ids(['[CLS]', 'the', 'toy', '[SEP]']));
  // cased models keep case: "Toy" is unknown to this lower-case vocabulary
  assert.deepEqual(tokenizer({ lowerCase: false }).encode('Toy'), ids(['[CLS]', '[UNK]', '[SEP]']));
  assert.throws(() => WordPieceTokenizer.fromVocabText('a\nb\n'), /no \[UNK\] token/);
});

test('wordpiece: reads a Hugging Face tokenizer.json (vocab, normaliser, truncation)', async () => {
  const json = {
    truncation: { max_length: 128 },
    normalizer: { type: 'BertNormalizer', lowercase: false, strip_accents: null },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', vocab: Object.fromEntries(TOKENS.map((t, i) => [t, i])) },
  };
  const t = WordPieceTokenizer.fromTokenizerJson(json);
  assert.equal(t.lowerCase, false);
  assert.equal(t.maxLength, 128);
  assert.deepEqual(t.encode('toy Story'), [2, 5, 1, 3]);
  assert.throws(() => WordPieceTokenizer.fromTokenizerJson({ model: { type: 'BPE', vocab: {} } }), /expected a WordPiece model/);
  const dir = mkdtempSync(join(tmpdir(), 'unirec-wp-'));
  try {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    assert.deepEqual((await WordPieceTokenizer.fromFolder(dir)).encode('toy'), [2, 5, 3]);
    await assert.rejects(WordPieceTokenizer.fromFolder(join(dir, 'missing')), /no tokenizer\.json or vocab\.txt/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('onnx: without onnxruntime-node installed, a clear error says how to install it', async (t) => {
  let installed = true;
  try {
    await import('onnxruntime-node' as string);
  } catch {
    installed = false;
  }
  if (installed) return t.skip('onnxruntime-node is installed here');
  await assert.rejects(loadOnnxRuntime(), (e: unknown) => e instanceof UnirecError && /ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node/.test(e.message));
  await assert.rejects(OnnxEncoder.load({ path: '/nonexistent' }), /optional package onnxruntime-node/);
  const saved = process.env.UNIREC_ONNX_PATH;
  delete process.env.UNIREC_ONNX_PATH;
  try {
    await assert.rejects(OnnxEncoder.load(), /UNIREC_ONNX_PATH/);
  } finally {
    if (saved !== undefined) process.env.UNIREC_ONNX_PATH = saved;
  }
});
