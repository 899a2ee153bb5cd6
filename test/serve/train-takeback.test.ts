import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanDataset } from '../../src/data/clean.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { DEFAULT_JOB_LIMITS } from '../../src/serve/job-limits.js';
import { HOLD_REPLY_ENV, JobStopped, runTraining } from '../../src/serve/run-training.js';
import { importDataset } from '../../src/store/import.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { Store } from '../../src/store/store.js';
import { scaleOutStore } from '../helpers/scale-out-store.js';
import { needs } from '../helpers/services.js';
import { openApp, json, shopStore, SMALL_SHOP, tempDir } from './fixture.js';

// A training job killed after its child saved the model but before it replied (the child holds its reply
// back here, so a cancel falls in that window every time) is reported cancelled and leaves no version.

const tmp = tempDir('unirec-takeback-');
after(() => tmp.cleanup());
process.env[HOLD_REPLY_ENV] = '60000';

/** Waits until the store lists more than `known` versions of `name` (a save committed), and returns them. */
async function savedVersions(store: Store, name: string, known = 0): Promise<number[]> {
  for (let i = 0; i < 1200; i++) {
    const versions = (await store.listModels(name)).map((m) => m.version);
    if (versions.length > known) return versions;
    await sleep(50);
  }
  throw new Error(`no version of ${name} was saved within a minute`);
}

test('sqlite, over HTTP: a job cancelled after its model was saved is cancelled, and its version is taken back', async () => {
  const t = await openApp(await shopStore(join(tmp.dir, 'shop.db'), { model: 'itemknn' }));
  try {
    const before = (await t.store.listModels()).map((m) => `${m.name}@${m.version}`);
    const started = json(await t.app.inject({ method: 'POST', url: '/models/itemknn/train', payload: { params: {} } }));
    assert.equal(started.status, 'running');
    assert.deepEqual(await savedVersions(t.store, 'itemknn', 1), [1, 2], 'the new version is committed');
    const cancelled = await t.app.inject({ method: 'DELETE', url: `/models/jobs/${started.id}` });
    assert.equal(cancelled.statusCode, 200);
    assert.equal(json(cancelled).status, 'cancelled');
    assert.deepEqual(
      (await t.store.listModels()).map((m) => `${m.name}@${m.version}`),
      before,
      'the version the cancelled job registered is gone',
    );
    const models = json(await t.app.inject({ url: '/models' }));
    assert.deepEqual(
      models.models.map((m: { name: string; version: number }) => `${m.name}@${m.version}`),
      before,
    );
  } finally {
    await t.close();
  }
});

test('postgres: a job cancelled after its model was saved rejects as cancelled, and its version is taken back', { skip: needs('postgres') }, async () => {
  const shared = await scaleOutStore('takeback');
  const store = await PostgresStore.open(shared.location);
  try {
    await importDataset(store, cleanDataset(syntheticShop(SMALL_SHOP)));
    const controller = new AbortController();
    const job = runTraining({ store: shared.location, name: 'itemknn', params: {}, seed: 1, threads: 1 }, DEFAULT_JOB_LIMITS, controller.signal, store);
    const failed = assert.rejects(job, (err) => err instanceof JobStopped && err.cancelled && err.message === 'cancelled');
    assert.deepEqual(await savedVersions(store, 'itemknn'), [1], 'the version is committed');
    controller.abort();
    await failed;
    assert.deepEqual(await store.listModels(), [], 'the version the cancelled job registered is gone');
    assert.equal(await store.reserveModelVersion('itemknn'), 2, 'its number is not handed out again');
  } finally {
    await store.close();
    await shared.drop();
  }
});
