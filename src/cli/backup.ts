import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UnirecError } from '../errors.js';
import { DEFAULT_DB, SqliteStore } from '../store/sqlite.js';

/**
 * `unirec backup --db PATH --out FILE`: a consistent copy of a store, safe while a server writes to it
 * (SQLite's online backup API; copying the file alone can miss the events still in its -wal file).
 * The copy is opened and checked before the command says it is done.
 */
export function backupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy a store consistently, even while `unirec serve` writes to it (SQLite online backup)')
    .option('--db <path>', 'the store file', DEFAULT_DB)
    .requiredOption('--out <file>', 'where the copy goes (must not exist)')
    .action(async (flags: { db: string; out: string }) => {
      if (!existsSync(flags.db)) throw new UnirecError(`no store at ${flags.db}`);
      if (existsSync(flags.out)) throw new UnirecError(`${flags.out} exists; unirec backup does not overwrite: remove it or choose another --out`);
      const started = performance.now();
      const store = new SqliteStore(flags.db);
      try {
        await store.backup(flags.out);
      } finally {
        await store.close();
      }
      const copy = new SqliteStore(flags.out);
      try {
        const c = await copy.counts();
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(`backed up ${flags.db} to ${flags.out}: ${c.events} events, ${c.users} users, ${c.items} items, ${c.models} models (checked; ${seconds.toFixed(1)} s)\n`);
      } finally {
        await copy.close();
      }
    });
}
