import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EventWriter } from './event-writer.js';
import type { EventInput } from './store.js';
import type { WriterReply, WriterRequest } from './writer-thread.js';

// The writer thread's entry (see writer-thread.ts): its own connection to the store, group commits of
// every batch that arrived while the previous commit was syncing.

const { path, synchronous } = workerData as { path: string; synchronous: 'FULL' | 'NORMAL' };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
const writer = new EventWriter(db);
const port = parentPort!;
let queue: { id: number; events: EventInput[] }[] = [];
let scheduled = false;

/** An error as plain data: the message, the SQLite code (SQLITE_FULL...) and whether it is the client's. */
const plain = (err: unknown) => {
  const e = err as { message?: string; code?: unknown; name?: string };
  return { message: String(e.message ?? err), code: typeof e.code === 'string' ? e.code : undefined, client: e.name === 'UnirecError' };
};

function flush(): void {
  scheduled = false;
  const group = queue;
  queue = [];
  if (group.length === 0) return;
  let reply: WriterReply;
  try {
    const outcomes = writer.commitGroup(group.map((g) => g.events));
    const results = group.map((g, i) => {
      const o = outcomes[i]!;
      return 'ok' in o ? { id: g.id, ok: o.ok } : { id: g.id, err: plain(o.err) };
    });
    reply = { results, commit: true };
  } catch (err) {
    const e = plain(err);
    reply = { results: group.map((g) => ({ id: g.id, err: e })) };
  }
  port.postMessage(reply);
}

port.on('message', (m: WriterRequest) => {
  if (m.close) {
    flush();
    db.close();
    port.postMessage({ results: [], closed: true } satisfies WriterReply);
    return;
  }
  queue.push({ id: m.id, events: m.events });
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
port.postMessage({ results: [], ready: true } satisfies WriterReply);
