import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../src/serve/app.js';
import { RecommenderService } from '../../src/serve/service.js';
import { json, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-jobs-');
after(() => tmp.cleanup());

/**
 * An ALS fit far longer than the 3 s limit even with the native kernels on a fast machine (every size at
 * its job cap or near it: ~10^13 FLOPs on the shop), so the time limit, not the fit, ends it.
 */
const SLOW_ALS = { factors: 1024, iterations: 1000, cgSteps: 100 };

/** A server on a store file (so jobs run in a child process) with the given job limits. */
async function server(name: string, limits = { timeoutSeconds: 600, memoryMb: 4096 }) {
  const store = await shopStore(join(tmp.dir, `${name}.db`), { model: 'itemknn' });
  const service = await RecommenderService.open(store, { jobLimits: limits, warn: () => {} });
  const app = await buildApp({ service });
  await app.ready();
  return {
    app,
    service,
    async close() {
      await app.close();
      await service.close();
      await store.close();
    },
  };
}

test('training params that set a job size are bounded: a 400 names the param, and no job starts', async () => {
  const t = await server('bounds');
  try {
    for (const [model, params, name] of [
      ['als', { factors: 20000 }, 'factors'],
      ['als', { iterations: 1e8 }, 'iterations'],
      ['pipeline', { retrievers: [{ model: 'als', params: { factors: 5000 } }] }, 'retrievers[0].params.factors'],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: `/models/${model}/train`, payload: { params } });
      if (res.statusCode === 400 && !res.body.includes(name)) assert.fail(`${model} ${JSON.stringify(params)}: ${res.body}`);
      assert.equal(res.statusCode, 400, res.body);
    }
    assert.deepEqual(await t.service.jobs.list(), []);
  } finally {
    await t.close();
  }
});

test('a job in its own process: cancelled on request, stopped at its time limit, stopped at its memory limit; the served model stays', async () => {
  const t = await server('limits', { timeoutSeconds: 3, memoryMb: 4096 });
  try {
    const served = json(await t.app.inject({ url: '/health' })).model;
    const rssBefore = process.memoryUsage().rss;

    // cancel: a long ALS fit is killed at once
    const started = json(await t.app.inject({ method: 'POST', url: '/models/als/train', payload: { params: SLOW_ALS } }));
    assert.equal(started.status, 'running');
    const cancelled = await t.app.inject({ method: 'DELETE', url: `/models/jobs/${started.id}` });
    assert.equal(cancelled.statusCode, 200);
    assert.equal(json(cancelled).status, 'cancelled');
    assert.equal(json(await t.app.inject({ url: `/models/jobs/${started.id}` })).status, 'cancelled');

    // time limit (3 s here)
    const slow = await t.app.inject({ method: 'POST', url: '/models/als/train', payload: { params: SLOW_ALS, wait: true } });
    assert.equal(slow.statusCode, 422);
    assert.match(json(slow).message, /time limit of 3 s/);
    assert.equal(json(await t.app.inject({ url: '/health' })).model, served, 'the served model is unchanged');
    assert.ok(process.memoryUsage().rss - rssBefore < 200 * 2 ** 20, 'the fit did not grow the server');

    const unknown = await t.app.inject({ method: 'DELETE', url: '/models/jobs/999' });
    assert.equal(unknown.statusCode, 404);
  } finally {
    await t.close();
  }

  const small = await server('memory', { timeoutSeconds: 600, memoryMb: 40 });
  try {
    const res = await small.app.inject({ method: 'POST', url: '/models/als/train', payload: { params: { factors: 8 }, wait: true } });
    assert.equal(res.statusCode, 422);
    assert.match(json(res).message, /over the memory limit of 40 MiB/);
    // a job within its limits still trains and is served
  } finally {
    await small.close();
  }
  const fine = await server('fine');
  try {
    const res = await fine.app.inject({ method: 'POST', url: '/models/als/train', payload: { params: { factors: 8, iterations: 2 }, wait: true } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json(res).activated, true);
    assert.equal(json(await fine.app.inject({ url: '/health' })).model, `als@${json(res).version}`);
  } finally {
    await fine.close();
  }
});
