import type { Command } from 'commander';
import { UnirecError } from '../errors.js';
import { DEFAULT_JOB_LIMITS } from '../serve/job-limits.js';
import { parseRedisUrl, redactedUrl } from '../serve/redis-url.js';
import { startTrainingWorker } from '../serve/training-worker.js';
import { positiveInt } from './flags.js';
import { addStoreOptions, resolveStoreFlags, type StoreFlags } from './store-options.js';

interface WorkerFlags extends StoreFlags {
  seed: number;
  threads: number;
  trainTimeout: number;
  trainMemory: number;
}

export function workerCommand(program: Command): void {
  addStoreOptions(program.command('worker'))
    .description('run training jobs queued by `unirec serve --redis` replicas: fit, register, activate (scale-out)')
    .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 42)
    .option('--threads <n>', 'threads for a training job', positiveInt('--threads'), 1)
    .option('--train-timeout <s>', 'a job is stopped after this many seconds', positiveInt('--train-timeout'), DEFAULT_JOB_LIMITS.timeoutSeconds)
    .option('--train-memory <MiB>', 'a job is stopped past this much resident memory', positiveInt('--train-memory'), DEFAULT_JOB_LIMITS.memoryMb)
    .action(async (flags: WorkerFlags) => {
      const { store, redis } = resolveStoreFlags(flags);
      if (!redis) throw new UnirecError('worker: --redis (or UNIREC_REDIS) is required: the Redis the replicas queue training jobs on');
      const worker = await startTrainingWorker({
        store,
        redis: parseRedisUrl(redis),
        seed: flags.seed,
        threads: flags.threads,
        limits: { timeoutSeconds: flags.trainTimeout, memoryMb: flags.trainMemory },
        lockMs: process.env.UNIREC_WORKER_LOCK_MS ? Number(process.env.UNIREC_WORKER_LOCK_MS) : undefined,
      });
      process.stdout.write(`unirec worker: waiting for training jobs on ${redactedUrl(redis)}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`unirec worker: ${signal}: finishing\n`);
          worker.close().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
