// A training run in a process of its own: a long or large fit never holds up the server's requests
// or grows its memory, and it can be stopped at once (killed) when it is cancelled or over a limit.
// It receives one TrainRequest over IPC, opens the store itself, registers the model and replies.
// Before it saves, it tells the parent the version it reserved and waits for the go-ahead (SAVE), so a
// kill after the save's commit still leaves the parent knowing what to take back.
import { setTimeout as sleep } from 'node:timers/promises';
import { UnirecError } from '../errors.js';
import { openStore } from '../store/open.js';
import { HOLD_REPLY_ENV, overMemoryMessage, SAVE, type SavingNotice, type TrainRequest, type TrainReply } from './run-training.js';
import { trainFromStore } from './training.js';

// The parent died (a worker killed mid-job): nobody is waiting for this fit any more.
process.once('disconnect', () => process.exit(1));
process.once('message', (message) => {
  void train(message as TrainRequest).then((reply) => {
    process.send!(reply, () => process.exit(0));
  });
});

/** The fit used more memory than the job may: its model is not registered. */
class OverMemory extends Error {}

async function train(request: TrainRequest): Promise<TrainReply> {
  let store;
  try {
    store = await openStore(request.store);
    const overLimit = (): string | undefined => {
      const peakMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
      return request.memoryMb !== undefined && peakMb > request.memoryMb ? overMemoryMessage(peakMb, request.memoryMb) : undefined;
    };
    const beforeSave = (): void => {
      const over = overLimit();
      if (over) throw new OverMemory(over);
    };
    const onVersion = (version: number) =>
      new Promise<void>((resolve) => {
        const onMessage = (message: unknown) => {
          if (message !== SAVE) return;
          process.off('message', onMessage);
          resolve();
        };
        process.on('message', onMessage);
        process.send!({ saving: version } satisfies SavingNotice);
      });
    const info = await trainFromStore(store, request.name, request.params, { seed: request.seed, threads: request.threads, beforeSave, onVersion });
    const hold = Number(process.env[HOLD_REPLY_ENV] ?? 0);
    if (hold > 0) await sleep(hold);
    // saving can be the peak (the artifact's chunks on top of the model): a version over the limit is taken back
    const over = overLimit();
    // (the parent takes the version back, as after any failure once it was told the version)
    if (over) throw new OverMemory(over);
    return { ok: true, info };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    if (err instanceof OverMemory) return { ok: false, error, userError: false, overLimit: true };
    return { ok: false, error, userError: err instanceof UnirecError };
  } finally {
    await store?.close();
  }
}
