import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLines } from '../../src/cli/progress-bar.js';

test('progress without a terminal: a line at most every interval, and the end only when it printed', () => {
  let clock = 0;
  const lines: string[] = [];
  const progress = progressLines((line) => lines.push(line), 30_000, () => clock);
  const quick = progress.start('short task', 10);
  quick.tick(10);
  quick.done();
  assert.deepEqual(lines, [], 'a task under the interval prints nothing');

  const fit = progress.start('fit sasrec', 200);
  clock = 10_000;
  fit.tick(50);
  clock = 31_000;
  fit.tick(50);
  clock = 40_000;
  fit.tick(50);
  clock = 62_000;
  fit.tick(50);
  fit.done();
  assert.deepEqual(lines, ['fit sasrec: 50% (100/200), 31 s\n', 'fit sasrec: 100% (200/200), 62 s\n', 'fit sasrec: done in 62 s\n']);
});

test('progress without a terminal: one line per epoch of an epoch-based fit, with loss, valid metric and time', () => {
  const lines: string[] = [];
  const progress = progressLines((line) => lines.push(line));
  progress.epoch!('bpr', 60, { epoch: 0, loss: 0.69314, seconds: 1.234 });
  progress.epoch!('bpr', 60, { epoch: 1, loss: 0.5, valid: 0.21234, seconds: 1.2 });
  progress.epoch!('bpr', 60, { epoch: 2, loss: 0.4, valid: 0.2, seconds: 1, annealed: true });
  assert.deepEqual(lines, [
    'bpr epoch 1/60: loss 0.6931, 1.23 s\n',
    'bpr epoch 2/60: loss 0.5000, valid 0.2123, 1.20 s\n',
    'bpr epoch 3/60: loss 0.4000, valid 0.2000, 1.00 s (back to the best epoch, learning rate lowered)\n',
  ]);
});
