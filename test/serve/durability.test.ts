import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from './fixture.js';

const bin = resolve(process.cwd(), 'bin/unirec.js');
const tmp = tempDir('unirec-durability-');
after(() => tmp.cleanup());

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts `unirec serve` and resolves with the URL it prints first on stdout. */
function serve(db: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL within 20 s; stderr: ${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolvePromise({ child, url: line, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

test('every acknowledged event survives a SIGKILL mid-stream; batches are whole or absent', async () => {
  const db = join(tmp.dir, 'durable.db');
  const first = await serve(db);
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the first stdout line is the URL');
  assert.match(first.stderr(), /no API keys configured.*127\.0\.0\.1 only/);

  // Writers stream batches of 3 keyed events; a batch counts as acknowledged when its 200 arrives.
  const acked: string[] = [];
  const sent: string[][] = [];
  let killed = false;
  const writer = async (w: number) => {
    for (let b = 0; !killed; b++) {
      const keys = [0, 1, 2].map((e) => `w${w}-b${b}-e${e}`);
      sent.push(keys);
      const events = keys.map((key, e) => ({ user: `durable-${w}`, item: `item-${(b * 3 + e) % 50}`, key, value: e + 1 }));
      try {
        const res = await fetch(`${first.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
        if (res.status === 200) {
          const body = (await res.json()) as { stored: number };
          assert.equal(body.stored, 3);
          acked.push(...keys); // the server answers 200 only after the commit
        }
      } catch {
        return; // the server is gone
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  const start = Date.now();
  while (acked.length < 600 && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 10));
  first.child.kill('SIGKILL');
  killed = true;
  await Promise.all(writers);
  await exited(first.child);
  assert.ok(acked.length >= 300, `only ${acked.length} events were acknowledged before the kill`);

  // Straight from the file: every acknowledged key is there, and no batch is there in part.
  const store = new SqliteStore(db);
  const keys = new Set((store.db.prepare('SELECT key FROM events').all() as { key: string }[]).map((r) => r.key));
  await store.close();
  const missing = acked.filter((k) => !keys.has(k));
  assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events were lost`);
  for (const batch of sent) {
    const present = batch.filter((k) => keys.has(k)).length;
    assert.ok(present === 0 || present === 3, `batch ${batch[0]} is partly stored (${present}/3)`);
  }

  // A restarted server serves them: histories and counts include everything acknowledged.
  const second = await serve(db);
  try {
    const health = (await (await fetch(`${second.url}/health`)).json()) as { events: number };
    assert.equal(health.events, keys.size);
    const history = (await (await fetch(`${second.url}/users/durable-0/history?limit=10000`)).json()) as { items: { key: string }[] };
    const served = new Set(history.items.map((e) => e.key));
    for (const k of acked.filter((k) => k.startsWith('w0-'))) assert.ok(served.has(k), `${k} missing from the history`);
    const rec = await fetch(`${second.url}/recommend/durable-0?k=5`);
    assert.equal(rec.status, 200);
  } finally {
    second.child.kill('SIGTERM');
    await exited(second.child);
  }
});
