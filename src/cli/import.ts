import type { Command } from 'commander';
import { importDataset } from '../store/import.js';
import { announceStoreChange } from '../serve/fanout.js';
import { parseRedisUrl } from '../serve/redis-url.js';
import { openStore } from '../store/open.js';
import { addDataOptions, type DataFlags, loadFromFlags } from './data-options.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';
import { addStoreOptions, resolveStoreFlags, type StoreFlags } from './store-options.js';

export function importCommand(program: Command): void {
  const cmd = addStoreOptions(
    program.command('import').description('load a dataset (MovieLens, sequence, generic config) into a store (SQLite file or PostgreSQL): items, users, events'),
  )
    .option('--batch <n>', 'rows per transaction', positiveInt('--batch'), 10_000)
    .option('--json', 'print the counts as JSON');
  addDataOptions(cmd).action(async (flags: DataFlags & StoreFlags & { batch: number; json?: boolean }) => {
    const where = resolveStoreFlags(flags);
    const ds = await loadFromFlags(flags);
    const store = await openStore(where.store);
    try {
      const before = await store.counts();
      const report = await importDataset(store, ds, { batchSize: flags.batch, progress: stderrProgress() });
      if (before.events > 0) process.stderr.write(`note: ${store.path} already held ${before.events} events; these were added to them\n`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ db: store.path, data: ds.name, ...report })}\n`);
      } else {
        process.stdout.write(
          `imported ${report.events} events (${report.duplicates} duplicate keys skipped), ${report.users} users, ${report.items} items ` +
            `from ${ds.name} into ${store.path} in ${report.seconds.toFixed(1)} s\n`,
        );
      }
    } finally {
      await store.close();
    }
    if (where.redis) await announceStoreChange(parseRedisUrl(where.redis), (m) => process.stderr.write(`${m}\n`));
  });
}
