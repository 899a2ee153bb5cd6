import type { Command } from 'commander';
import { importDataset } from '../store/import.js';
import { DEFAULT_DB, SqliteStore } from '../store/sqlite.js';
import { addDataOptions, type DataFlags, loadFromFlags } from './data-options.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';

export function importCommand(program: Command): void {
  const cmd = program
    .command('import')
    .description('load a dataset (MovieLens, sequence, generic config) into a store: items, users, events')
    .option('--db <path>', 'the store file (created when missing)', DEFAULT_DB)
    .option('--batch <n>', 'rows per transaction', positiveInt('--batch'), 10_000)
    .option('--json', 'print the counts as JSON');
  addDataOptions(cmd).action(async (flags: DataFlags & { db: string; batch: number; json?: boolean }) => {
    const ds = await loadFromFlags(flags);
    const store = new SqliteStore(flags.db);
    try {
      const before = await store.counts();
      const report = await importDataset(store, ds, { batchSize: flags.batch, progress: stderrProgress() });
      if (before.events > 0) process.stderr.write(`note: ${flags.db} already held ${before.events} events; these were added to them\n`);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ db: flags.db, data: ds.name, ...report })}\n`);
      } else {
        process.stdout.write(
          `imported ${report.events} events (${report.duplicates} duplicate keys skipped), ${report.users} users, ${report.items} items ` +
            `from ${ds.name} into ${flags.db} in ${report.seconds.toFixed(1)} s\n`,
        );
      }
    } finally {
      await store.close();
    }
  });
}
