// A training run in a process of its own: a long or large fit never holds up the server's requests
// or grows its memory, and it can be stopped at once (killed) when it is cancelled or over a limit.
// It receives one TrainRequest over IPC, opens the store itself, registers the model and replies.
import { UnirecError } from '../errors.js';
import { openStore } from '../store/open.js';
import type { TrainRequest, TrainReply } from './run-training.js';
import { trainFromStore } from './training.js';

// The parent died (a worker killed mid-job): nobody is waiting for this fit any more.
process.once('disconnect', () => process.exit(1));
process.once('message', (message) => {
  void train(message as TrainRequest).then((reply) => {
    process.send!(reply, () => process.exit(0));
  });
});

async function train(request: TrainRequest): Promise<TrainReply> {
  let store;
  try {
    store = await openStore(request.store);
    const info = await trainFromStore(store, request.name, request.params, { seed: request.seed, threads: request.threads });
    return { ok: true, info };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), userError: err instanceof UnirecError };
  } finally {
    await store?.close();
  }
}
