import { parentPort } from 'node:worker_threads';
import type { FromThread, PoolTasks, ToThread } from './pool.js';
import { transferables, unpackInWorker } from './shared.js';

// One thread of the WorkerPool (pool.ts): holds the state of the sessions it has been sent (built once
// by their task module's `init`), runs the blocks it is sent one at a time, and answers each with its
// result (typed arrays transferred) or its error. Messages are handled strictly in order.
interface Opened {
  tasks: Promise<PoolTasks>;
  shared: unknown;
  state?: { value: unknown } | { error: unknown };
}

const sessions = new Map<number, Opened>();
const modules = new Map<string, Promise<PoolTasks>>();
let queue: Promise<void> = Promise.resolve();

function tasksOf(url: string): Promise<PoolTasks> {
  let m = modules.get(url);
  if (!m) {
    m = import(url).then((mod: { poolTasks?: PoolTasks }) => {
      if (!mod.poolTasks) throw new Error(`${url} exports no poolTasks`);
      return mod.poolTasks;
    });
    modules.set(url, m);
  }
  return m;
}

async function handle(msg: ToThread): Promise<void> {
  if (msg.kind === 'load') {
    await tasksOf(msg.url).catch(() => undefined); // a failed import is reported by the run that needs it
    return;
  }
  if (msg.kind === 'open') {
    sessions.set(msg.session, { tasks: tasksOf(msg.url), shared: msg.shared });
    return;
  }
  if (msg.kind === 'close') {
    sessions.delete(msg.session);
    return;
  }
  let reply: FromThread;
  try {
    const opened = sessions.get(msg.session);
    if (!opened) throw new Error(`pool session ${msg.session} is not open in this thread`);
    const tasks = await opened.tasks;
    if (!opened.state) {
      try {
        const shared = unpackInWorker(opened.shared);
        opened.state = { value: tasks.init ? tasks.init(shared) : shared };
      } catch (error) {
        opened.state = { error };
      }
    }
    if ('error' in opened.state) throw opened.state.error;
    const fn = tasks.tasks[msg.task];
    if (!fn) throw new Error(`no pool task "${msg.task}" in ${tasks.url}`);
    reply = { session: msg.session, block: msg.block, result: fn(opened.state.value, msg.args, msg.from, msg.to) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { session: msg.session, block: msg.block, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  parentPort!.postMessage(reply, transferables(reply.result));
}

parentPort!.on('message', (msg: ToThread) => {
  queue = queue.then(() => handle(msg));
});
