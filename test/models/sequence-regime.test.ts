import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createModel } from '../../src/models/index.js';
import type { SasRec } from '../../src/models/sasrec.js';
import { meanSequenceLength, sequenceRegime } from '../../src/models/sequence-regime.js';
import { chainWalks } from './sequence-helpers.js';

test('sequenceRegime: short sequences get dropout 0.5 / lr 3e-3, window-filling ones 0.2 / 1e-3, log-scale between', () => {
  for (const m of [1, 6.9, 12]) assert.deepEqual([sequenceRegime(m).layers, sequenceRegime(m).dropout, sequenceRegime(m).learningRate], [1, 0.5, 0.003], `mean ${m}`);
  for (const m of [50, 104, 165, 1000]) assert.deepEqual([sequenceRegime(m).layers, sequenceRegime(m).dropout, sequenceRegime(m).learningRate], [2, 0.2, 0.001], `mean ${m}`);
  assert.equal(sequenceRegime(24).layers, 1);
  assert.equal(sequenceRegime(25).layers, 2);
  let last = sequenceRegime(12);
  for (let m = 13; m < 50; m++) {
    const r = sequenceRegime(m);
    assert.ok(r.dropout <= last.dropout && r.learningRate <= last.learningRate, `monotone at ${m}`);
    assert.ok(r.dropout > 0.2 && r.dropout < 0.5, `strictly between at ${m}: ${r.dropout}`);
    last = r;
  }
  // the geometric middle of 12 and 50 is half way on both (lr: the geometric mean of 3e-3 and 1e-3)
  const mid = sequenceRegime(Math.sqrt(12 * 50));
  assert.equal(mid.dropout, 0.35);
  assert.ok(Math.abs(mid.learningRate - Math.sqrt(3e-6)) < 1e-6);
});

test('meanSequenceLength counts only users with events', () => {
  assert.equal(meanSequenceLength(Int32Array.of(0, 4, 4, 10)), 5);
  assert.equal(meanSequenceLength(Int32Array.of(0, 0)), 0);
});

test('sasrec without dropout / learningRate takes them from the data and records them; given values win', async () => {
  const { train, valid } = chainWalks(5, 80, 30);
  const small = { maxLength: 12, dim: 16, heads: 1, epochs: 1, batchSize: 64 };
  const chosen = createModel('sasrec', small) as SasRec;
  await chosen.fit(train, { seed: 1, threads: 1, valid });
  const a = chosen.save();
  const expected = sequenceRegime(train.interactions.length / train.nUsers);
  assert.equal((a.meta.config as { dropout: number }).dropout, expected.dropout);
  assert.equal((a.meta.config as { layers: number }).layers, 1, 'short sequences: one block');
  assert.equal(a.meta.learningRate, expected.learningRate);
  assert.equal(expected.dropout, 0.5, 'chain walks of 4-13 train items are short sequences');
  assert.equal(a.params.dropout, undefined, 'the params stay as given: a refit on other data chooses again');

  const given = createModel('sasrec', { ...small, layers: 2, dropout: 0.15, learningRate: 0.002 }) as SasRec;
  await given.fit(train, { seed: 1, threads: 1, valid });
  const b = given.save();
  assert.equal((b.meta.config as { dropout: number }).dropout, 0.15);
  assert.equal((b.meta.config as { layers: number }).layers, 2);
  assert.equal(b.meta.learningRate, 0.002);
});
