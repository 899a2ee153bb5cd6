import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { WorkerPool } from '../../src/math/pool.js';
import { sharedFloat64, sharedInt32 } from '../../src/math/team.js';
import { poolTasks } from '../helpers/pool-tasks.js';

const bounds = (n: number, blocks: number) => Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * n) / blocks));

function state(n: number) {
  return { out: sharedFloat64(n), ran: sharedInt32(n) };
}

test('a run spreads its blocks over several pool threads and reports every block once', async () => {
  const pool = new WorkerPool(4);
  try {
    const s = state(400);
    const session = pool.session(poolTasks, s, 2);
    const seen: number[] = [];
    await session.run('fill', { add: 7, ms: 20 }, bounds(400, 8), { onBlock: (b) => seen.push(b) });
    session.close();
    assert.deepEqual([...s.out], Array.from({ length: 400 }, (_, r) => 3 * r + 7));
    assert.deepEqual(seen.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    const threads = new Set(s.ran);
    assert.equal(threads.size, 2, 'two pool threads ran the blocks');
    assert.ok(!threads.has(threadId), 'none of them on the calling thread');
    assert.equal(pool.size, 2, 'a session with 2 threads starts 2, not the pool maximum');
  } finally {
    await pool.close();
  }
});

test('one thread runs the blocks in the calling thread, with the same results', async () => {
  const pool = new WorkerPool(4);
  const s = state(50);
  const session = pool.session(poolTasks, s, 1);
  const results: unknown[] = [];
  await session.run('range', {}, bounds(50, 3), { onBlock: (b, r) => (results[b] = r) });
  await session.run('fill', { add: 1 }, bounds(50, 3));
  assert.deepEqual(results, [Int32Array.from({ length: 16 }, (_, t) => t), Int32Array.from({ length: 17 }, (_, t) => 16 + t), Int32Array.from({ length: 17 }, (_, t) => 33 + t)]);
  assert.ok(s.ran.every((t) => t === threadId));
  assert.equal(pool.size, 0);
});

test('with `here`, the calling thread takes blocks too and counts as one of the threads', async () => {
  const pool = new WorkerPool(4);
  try {
    const s = state(300);
    const here = { ...s, inits: 0 };
    const session = pool.session(poolTasks, s, 2, { here });
    await session.run('fill', { add: 4, ms: 20 }, bounds(300, 12));
    assert.deepEqual([...s.out], Array.from({ length: 300 }, (_, r) => 3 * r + 4));
    const ran = new Set(s.ran);
    assert.ok(ran.has(threadId), 'the calling thread ran some blocks');
    assert.equal(ran.size, 2, 'and one pool thread the others');
    assert.equal(pool.size, 1);
    // an error thrown here rejects the run like one thrown in a pool thread
    await assert.rejects(session.run('fail', { row: 0 }, bounds(300, 12)), /row 0 is bad/);
    await assert.rejects(session.run('fail', { row: 299 }, bounds(300, 12)), /row 299 is bad/);
    session.close();
  } finally {
    await pool.close();
  }
});

test('results come back whole from the threads', async () => {
  const pool = new WorkerPool(2);
  try {
    const session = pool.session(poolTasks, state(1), 2);
    const results: Int32Array[] = [];
    await session.run('range', {}, bounds(1000, 5), { onBlock: (b, r) => (results[b] = r as Int32Array) });
    assert.deepEqual(Int32Array.from(results.flatMap((r) => [...r])), Int32Array.from({ length: 1000 }, (_, i) => i));
  } finally {
    await pool.close();
  }
});

test('an error in a task rejects the run with its class and message, and the pool goes on', async () => {
  const pool = new WorkerPool(2);
  try {
    const s = state(100);
    const session = pool.session(poolTasks, s, 2);
    await assert.rejects(session.run('fail', { row: 55 }, bounds(100, 10)), (err: Error) => err instanceof RangeError && err.message === 'row 55 is bad');
    await assert.rejects(session.run('nope' as 'fail', {}, bounds(100, 2)), /no pool task "nope"/);
    // the same session and threads still work
    await session.run('fill', { add: 2 }, bounds(100, 10));
    assert.deepEqual([...s.out], Array.from({ length: 100 }, (_, r) => 3 * r + 2));
    assert.equal(pool.size, 2);
    session.close();
  } finally {
    await pool.close();
  }
});

test('a thread that dies fails the run it served; the pool replaces it on demand', async () => {
  const pool = new WorkerPool(2);
  try {
    const s = state(100);
    const session = pool.session(poolTasks, s, 2);
    await assert.rejects(session.run('die', { row: 42 }, bounds(100, 10)), /exited with code 3/);
    await session.run('fill', { add: 9 }, bounds(100, 10));
    assert.deepEqual([...s.out], Array.from({ length: 100 }, (_, r) => 3 * r + 9));
    assert.equal(pool.size, 2);
    session.close();
  } finally {
    await pool.close();
  }
});

test('an abort stops handing out blocks, rejects with its reason, and the pool goes on', async () => {
  const pool = new WorkerPool(2);
  try {
    const s = state(400);
    s.out.fill(-1);
    const session = pool.session(poolTasks, s, 2);
    const controller = new AbortController();
    let done = 0;
    const run = session.run('fill', { add: 0, ms: 30 }, bounds(400, 40), {
      signal: controller.signal,
      onBlock: () => {
        if (++done === 2) controller.abort(new Error('stop here'));
      },
    });
    await assert.rejects(run, /stop here/);
    const written = s.out.filter((v) => v >= 0).length;
    assert.ok(written >= 20 && written <= 50, `only the blocks started before the abort ran (${written} rows)`);
    // nothing more is written once the run has settled
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.out.filter((v) => v >= 0).length, written);
    await assert.rejects(session.run('fill', { add: 0 }, bounds(400, 4), { signal: AbortSignal.abort(new Error('already')) }), /already/);
    await session.run('fill', { add: 5 }, bounds(400, 4));
    assert.equal(s.out[399], 3 * 399 + 5);
  } finally {
    await pool.close();
  }
});

test('sessions reuse the pool threads: no thread per call, init once per thread and session', async () => {
  const pool = new WorkerPool(3);
  try {
    const threads = new Set<number>();
    for (let call = 0; call < 12; call++) {
      const session = pool.session(poolTasks, state(60), 2);
      await session.run('fill', { add: call, ms: 5 }, bounds(60, 6), { onBlock: (_, t) => threads.add(t as number) });
      const inits: number[] = [];
      await session.run('inits', {}, bounds(60, 6), { onBlock: (_, n) => inits.push(n as number) });
      session.close();
      // each thread that ran this session built its state once, whatever the number of runs and blocks
      assert.ok(Math.max(...inits) <= call + 1);
    }
    assert.equal(pool.size, 2);
    assert.equal(threads.size, 2, 'the same two threads served all twelve sessions');
    const wide = pool.session(poolTasks, state(60), 3);
    await wide.run('fill', { add: 0, ms: 5 }, bounds(60, 6));
    wide.close();
    assert.equal(pool.size, 3, 'grows to the largest thread count asked for');
  } finally {
    await pool.close();
  }
  await assert.rejects(async () => pool.session(poolTasks, state(1), 2), /closed/);
});

test('a process whose pool is idle exits by itself (the threads do not hold it)', () => {
  const script = `
    import { workerPool } from ${JSON.stringify(new URL('../../src/math/pool.js', import.meta.url).href)};
    import { poolTasks } from ${JSON.stringify(new URL('../helpers/pool-tasks.js', import.meta.url).href)};
    const out = new Float64Array(new SharedArrayBuffer(80));
    const session = workerPool().session(poolTasks, { out, ran: new Int32Array(new SharedArrayBuffer(40)) }, 2);
    await session.run('fill', { add: 1, ms: 50 }, [0, 5, 10]);
    console.log(workerPool().size, out[9]);
  `;
  const dir = mkdtempSync(join(tmpdir(), 'unirec-pool-'));
  try {
    writeFileSync(join(dir, 'idle-pool.mjs'), script);
    const r = spawnSync(process.execPath, [join(dir, 'idle-pool.mjs')], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `${r.stderr} ${r.error ?? ''}`);
    assert.equal(r.stdout.trim(), '2 28');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
