import type { Command } from 'commander';
import '../pipeline/index.js';
import { parseParams } from '../models/registry.js';
import { trainFromStore } from '../serve/training.js';
import { announceStoreChange } from '../serve/fanout.js';
import { parseRedisUrl } from '../serve/redis-url.js';
import { openStore } from '../store/open.js';
import { parseParamsFlag } from './data-options.js';
import { defaultThreads } from './evaluate.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';
import { addStoreOptions, resolveStoreFlags, type StoreFlags } from './store-options.js';

interface TrainFlags extends StoreFlags {
  model: string;
  params?: string;
  seed: number;
  threads: number;
  activate: boolean;
  json?: boolean;
}

export function trainCommand(program: Command): void {
  addStoreOptions(
    program.command('train').description("fit a model on everything in a store and register it as the model's next version (active unless --no-activate)"),
  )
    .requiredOption('--model <name>', 'model to train (see `unirec models`)')
    .option('--params <json>', 'model parameters as a JSON object')
    .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 42)
    .option('--threads <n>', 'worker threads', positiveInt('--threads'), defaultThreads())
    .option('--no-activate', 'register the version without serving it')
    .option('--json', 'print the registered model as JSON')
    .action(async (flags: TrainFlags) => {
      const params = parseParams(flags.model, parseParamsFlag(flags.params)); // fail before opening anything
      const where = resolveStoreFlags(flags);
      const store = await openStore(where.store);
      try {
        const info = await trainFromStore(store, flags.model, params, { seed: flags.seed, threads: flags.threads, progress: stderrProgress() });
        const final = flags.activate ? ((await store.activateModel(info.name, info.version)) ?? info) : info;
        if (final.active && where.redis) await announceStoreChange(parseRedisUrl(where.redis), (m) => process.stderr.write(`${m}\n`));
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(final)}\n`);
          return;
        }
        const m = final.metrics;
        process.stdout.write(
          `trained ${final.name}@${final.version} on ${m.interactions} events (${m.users} users, ${m.items} items) in ${m.fit_seconds!.toFixed(1)} s` +
            `${final.active ? '; now active' : '; not active (POST /models/' + final.name + '/activate to serve it)'}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
