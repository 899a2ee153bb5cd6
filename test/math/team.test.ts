import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gramSparse } from '../../src/math/gram.js';
import { spdInverse } from '../../src/math/spd-inverse.js';
import { gramSparseOnTeam, spdInverseOnTeam, sweepBuffers } from '../../src/math/spd-inverse-team.js';
import { WorkerTeam, triangleBounds, weightedBounds } from '../../src/math/team.js';
import { randomSpd } from '../helpers/matrices.js';
import { randomTrainData } from '../helpers/synthetic.js';

test('sparse Gram and SPD inverse on a team of 2 give the same bits as one thread', async () => {
  const train = randomTrainData(300, 140, 0.1, 8);
  const n = train.nItems;
  const expectedGram = gramSparse(train.byUser, train.byItem, true);
  for (const threads of [1, 2]) {
    const buf = sweepBuffers(n);
    const team = WorkerTeam.create(threads, { x: train.byUser, xT: train.byItem, out: buf.a, ...buf });
    try {
      await gramSparseOnTeam(team, buf.a, n, true);
      assert.deepEqual(buf.a, expectedGram);
      for (let i = 0; i < n; i++) buf.a[i * n + i]! += 10;
      const expected = Float64Array.from(buf.a);
      spdInverse(expected, n);
      await spdInverseOnTeam(team, buf, n);
      assert.deepEqual(buf.a, expected, `threads = ${threads}`);
    } finally {
      await team.close();
    }
  }
});

test('a team reports task errors and aborts', async () => {
  const buf = sweepBuffers(70);
  buf.a.set(randomSpd(70, 1));
  const team = WorkerTeam.create(2, { ...buf });
  try {
    // a task that throws in a worker (this team's state has no sparse matrix) rejects the run
    await assert.rejects(team.run('gramSparse', { binary: 1 }, [0, 10, 20]), /TypeError/);
    const controller = new AbortController();
    controller.abort(new Error('stop here'));
    await assert.rejects(spdInverseOnTeam(team, buf, 70, controller.signal), /stop here/);
  } finally {
    await team.close();
  }
});

test('block bounds cover the range in increasing order', () => {
  for (const b of [triangleBounds(100, 7), weightedBounds((r) => r % 5, 100, 9), triangleBounds(3, 8)]) {
    assert.equal(b[0], 0);
    for (let i = 1; i < b.length; i++) assert.ok(b[i]! > b[i - 1]!);
  }
  assert.equal(triangleBounds(100, 7).at(-1), 100);
  assert.equal(weightedBounds(() => 1, 10, 5).length, 6);
});
