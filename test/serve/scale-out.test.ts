import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { cleanDataset } from '../../src/data/clean.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { trainFromStore } from '../../src/serve/training.js';
import { importDataset } from '../../src/store/import.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { exited, type Running, startUnirec, stop, within } from '../helpers/processes.js';
import { needs, REDIS_URL } from '../helpers/services.js';
import { scaleOutStore } from '../helpers/scale-out-store.js';
import { tempDir } from './fixture.js';

// Two `serve` replicas and a `worker` on one shared store + Redis, as separate processes.
const skip = needs('postgres', 'redis');
const tmp = tempDir('unirec-scale-out-');
const prefix = `t${randomBytes(4).toString('hex')}`;
const redis = `${REDIS_URL}?prefix=${prefix}`;
let location: string;
let dropStore: () => Promise<void> = async () => undefined;
const running: Running[] = [];

before(async () => {
  if (skip) return;
  ({ location, drop: dropStore } = await scaleOutStore('scale'));
  const store = await openStore(location);
  try {
    await importDataset(store, cleanDataset(syntheticShop({ users: 150, items: 80, eventsPerUser: 12, seed: 5 })));
    const info = await trainFromStore(store, 'itemknn', {});
    await store.activateModel(info.name, info.version);
  } finally {
    await store.close();
  }
});

after(async () => {
  await Promise.all(running.map((r) => stop(r.child)));
  await dropStore();
  tmp.cleanup();
});

async function replica(): Promise<string> {
  const r = await startUnirec(['serve', '--store', location, '--redis', redis, '--port', '0']);
  running.push(r);
  return r.line;
}

async function worker(env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const r = await startUnirec(['worker', '--store', location, '--redis', redis], env);
  running.push(r);
  return r;
}

async function get<T = any>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

async function send<T = any>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

type Rec = { items: { id: string }[]; fallback: boolean; model: string };

test('two replicas and a worker: writes, training, activation and deletes reach every replica', { skip, timeout: 120_000 }, async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  await worker();

  // An event through A is in B's next answers within 1 s: B folds the new visitor in.
  const before = await get<Rec>(`${b}/recommend/visitor-1?k=5`);
  assert.equal(before.body.fallback, true, 'an unknown visitor gets popular items');
  const seen = before.body.items.slice(0, 2).map((i) => i.id);
  assert.equal((await send('POST', `${a}/events`, { events: seen.map((item) => ({ user: 'visitor-1', item })) })).status, 200);
  const ms = await within(1000, "B reflects A's events", async () => {
    const r = await get<Rec>(`${b}/recommend/visitor-1?k=5`);
    return !r.body.fallback && r.body.items.every((i) => !seen.includes(i.id));
  });
  assert.ok(ms < 1000);

  // A training job posted to B runs on the worker; both replicas then serve the new version.
  const submitted = await send<{ id: number; status: string }>('POST', `${b}/models/als/train`, { params: { factors: 8, iterations: 3 } });
  assert.equal(submitted.status, 202);
  assert.ok(['queued', 'running'].includes(submitted.body.status), submitted.body.status);
  await within(60_000, 'the job is done', async () => (await get(`${a}/models/jobs/${submitted.body.id}`)).body.status === 'done');
  const job = (await get(`${a}/models/jobs/${submitted.body.id}`)).body;
  assert.equal(job.activated, true);
  for (const replicaUrl of [a, b]) {
    await within(2000, `${replicaUrl} serves als@${job.version}`, async () => (await get(`${replicaUrl}/health`)).body.model === `als@${job.version}`);
  }
  assert.equal((await get(`${b}/health`)).body.training, false, 'the replicas never train: nothing queued or running now');

  // A user deleted through A gets no personal list from B.
  const user = 'user-0007';
  assert.equal((await get<Rec>(`${b}/recommend/${user}?k=5`)).body.fallback, false);
  assert.equal((await fetch(`${a}/users/${user}`, { method: 'DELETE' })).status, 200);
  await within(1000, 'B forgets the deleted user', async () => (await get<Rec>(`${b}/recommend/${user}?k=5`)).body.fallback);

  // `unirec import` into the shared store while the replicas serve: they see it without a restart.
  const itemsBefore = (await get(`${a}/health`)).body.items as number;
  const csv = join(tmp.dir, 'more.csv');
  writeFileSync(csv, 'user,item\nimported-1,brand-new-item\nimported-1,sku-0001\nimported-2,brand-new-item\n');
  // Run without blocking this process: a blocked event loop would miss the replicas closing idle
  // keep-alive sockets (5 s) during a slow import and reuse one ("other side closed").
  await promisify(execFile)(process.execPath, [resolve('bin/unirec.js'), 'import', '--store', location, '--redis', redis, '--data', csv, '--columns', 'user=user,item=item']);
  for (const replicaUrl of [a, b]) {
    await within(3000, `${replicaUrl} sees the imported events and item`, async () => {
      const r = await get<Rec>(`${replicaUrl}/recommend/imported-1?k=5`);
      const health = (await get(`${replicaUrl}/health`)).body;
      return !r.body.fallback && r.body.items.every((i) => i.id !== 'sku-0001') && health.items === itemsBefore + 1;
    });
  }
});

test('a replica killed mid-stream: every acknowledged event is in the store', { skip, timeout: 60_000 }, async () => {
  const url = await replica();
  const victim = running[running.length - 1]!;
  const acked: string[] = [];
  let killed = false;
  const writer = async (w: number) => {
    for (let n = 0; !killed; n++) {
      const key = `kill-${w}-${n}`;
      try {
        const res = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ user: `writer-${w}`, item: `sku-000${n % 9 + 1}`, key }] }) });
        if (res.status === 200) acked.push(key);
      } catch {
        return;
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await within(20_000, '200 acknowledged events', async () => acked.length >= 200);
  victim.child.kill('SIGKILL');
  killed = true;
  await Promise.all(writers);
  await exited(victim.child);
  const store: Store = await openStore(location);
  try {
    const stored = new Set<string>();
    let cursor = 0;
    for (;;) {
      const feed = await store.changesSince(cursor, 10_000);
      for (const c of feed.changes) if (c.type === 'event' && c.event.key) stored.add(c.event.key);
      cursor = feed.cursor;
      if (!feed.more) break;
    }
    const missing = acked.filter((k) => !stored.has(k));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events are not in the store`);
  } finally {
    await store.close();
  }
});

test('a worker killed mid-job: the job is taken again or failed, and the served model never changes half-way', { skip, timeout: 120_000 }, async () => {
  const url = await replica();
  const servedBefore = (await get(`${url}/health`)).body.model as string;
  const first = await worker({ UNIREC_WORKER_LOCK_MS: '2000' });
  // Slow enough to be killed in the middle of it.
  const submitted = await send<{ id: number }>('POST', `${url}/models/als/train`, { params: { factors: 512, iterations: 1000 } });
  assert.equal(submitted.status, 202);
  await within(20_000, 'the job runs', async () => (await get(`${url}/models/jobs/${submitted.body.id}`)).body.status === 'running');
  first.child.kill('SIGKILL');
  await exited(first.child);
  assert.equal((await get(`${url}/health`)).body.model, servedBefore, 'the active model is unchanged');
  assert.equal((await get<Rec>(`${url}/recommend/user-0010?k=5`)).body.items.length, 5);

  // Another worker takes the stalled job again; cancelling it leaves the served model as it was.
  await worker({ UNIREC_WORKER_LOCK_MS: '2000' });
  await within(30_000, 'the job is taken again', async () => {
    const job = (await get(`${url}/models/jobs/${submitted.body.id}`)).body;
    return job.status === 'running' || job.status === 'failed';
  });
  const cancelled = await send<{ status: string }>('DELETE', `${url}/models/jobs/${submitted.body.id}`);
  assert.equal(cancelled.status, 200);
  assert.ok(['cancelled', 'failed'].includes(cancelled.body.status), JSON.stringify(cancelled.body));
  assert.equal((await get(`${url}/health`)).body.model, servedBefore);
});

/** A free loopback port. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
  });
}

test('Redis down: serving and writes go on, changes still reach the other replica, /health says degraded, and it recovers', { skip, timeout: 60_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const startRedis = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let server = startRedis();
  const own = `redis://127.0.0.1:${port}?prefix=${prefix}-down`;
  try {
    await within(5000, 'the private Redis answers', async () => {
      const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
      return r.stdout.trim() === 'PONG';
    });
    const start = async () => {
      const r = await startUnirec(['serve', '--store', location, '--redis', own, '--port', '0']);
      running.push(r);
      return r.line;
    };
    const [a, b] = await Promise.all([start(), start()]);
    await within(5000, 'both healthy', async () => (await get(`${a}/health`)).body.status === 'ok' && (await get(`${b}/health`)).body.status === 'ok');

    server.kill('SIGKILL');
    await exited(server);
    await within(5000, 'A reports Redis down', async () => {
      const h = (await get(`${a}/health`)).body;
      return h.status === 'degraded' && h.redis === 'unreachable' && h.store === 'ok';
    });
    assert.equal((await get<Rec>(`${a}/recommend/user-0020?k=5`)).status, 200, 'serving goes on');
    const events = await send('POST', `${a}/events`, { events: [{ user: 'redis-down-visitor', item: 'sku-0003' }] });
    assert.equal(events.status, 200, 'writes go on');
    await within(1000, "B still sees A's write (polled)", async () => {
      const r = await get<Rec>(`${b}/recommend/redis-down-visitor?k=5`);
      return !r.body.fallback && r.body.items.every((i) => i.id !== 'sku-0003');
    });
    const train = await send('POST', `${a}/models/als/train`, { params: { factors: 4, iterations: 1 } });
    assert.equal(train.status, 503, 'training cannot be queued, and says why');
    assert.match(train.body.message, /Redis/);

    server = startRedis();
    await within(15_000, 'A recovers without a restart', async () => (await get(`${a}/health`)).body.status === 'ok');
  } finally {
    server.kill('SIGKILL');
  }
});

test('PostgreSQL down: reads answer from memory, writes get a 503 with the reason, and it recovers without a restart', { skip, timeout: 60_000 }, async () => {
  const net = await import('node:net');
  const target = new URL(location);
  const port = await freePort();
  const sockets = new Set<import('node:net').Socket>();
  // A loopback proxy in front of PostgreSQL, closed and reopened to take the database away and back.
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = () => new Promise<void>((r) => proxy.listen(port, '127.0.0.1', () => r()));
  await listen();
  const viaProxy = new URL(location);
  viaProxy.port = String(port);
  try {
    const r = await startUnirec(['serve', '--store', viaProxy.toString(), '--port', '0']);
    running.push(r);
    const url = r.line;
    assert.equal((await get(`${url}/health`)).body.status, 'ok');

    await new Promise<void>((r2) => {
      proxy.close(() => r2());
      for (const s of sockets) s.destroy();
    });
    const write = await send('POST', `${url}/events`, { events: [{ user: 'pg-down', item: 'sku-0002' }] });
    assert.equal(write.status, 503, JSON.stringify(write.body));
    assert.match(write.body.message, /unavailable/);
    const read = await get<Rec>(`${url}/recommend/user-0030?k=5`);
    assert.equal(read.status, 200, 'reads answer from memory');
    assert.equal(read.body.items.length, 5);
    await within(5000, '/health says the store is unreachable', async () => {
      const h = (await get(`${url}/health`)).body;
      return h.status === 'degraded' && h.store === 'unreachable';
    });

    await listen();
    await within(15_000, 'writes succeed again', async () => (await send('POST', `${url}/events`, { events: [{ user: 'pg-down', item: 'sku-0002' }] })).status === 200);
    await within(5000, '/health is ok again', async () => (await get(`${url}/health`)).body.status === 'ok');
  } finally {
    proxy.close();
    for (const s of sockets) s.destroy();
  }
});
