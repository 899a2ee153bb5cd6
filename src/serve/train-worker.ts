// A training run on its own thread, so a long fit never holds up the server's requests. It opens the
// store file on its own connection (WAL lets it read while the server writes) and registers the model.
import { parentPort, workerData } from 'node:worker_threads';
import { UnirecError } from '../errors.js';
import { SqliteStore } from '../store/sqlite.js';
import { trainFromStore } from './training.js';

export interface TrainWorkerInput {
  dbPath: string;
  name: string;
  params: Record<string, unknown>;
  seed: number;
  threads: number;
}

const input = workerData as TrainWorkerInput;
const store = new SqliteStore(input.dbPath);
try {
  const info = await trainFromStore(store, input.name, input.params, { seed: input.seed, threads: input.threads });
  parentPort!.postMessage({ ok: true, info });
} catch (err) {
  parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err), userError: err instanceof UnirecError });
} finally {
  await store.close();
}
