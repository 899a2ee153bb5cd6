import type { Command } from 'commander';
import { UnirecError } from '../errors.js';
import { DEFAULT_DB } from '../store/sqlite.js';

/** The store flags as commander parses them. */
export interface StoreFlags {
  store?: string;
  db?: string;
  redis?: string;
}

/** Where the store and Redis are, after flags, environment and defaults. */
export interface StoreLocation {
  /** a SQLite file path or a postgres:// URL, for openStore */
  store: string;
  /** a redis:// URL, when one was given */
  redis: string | undefined;
}

/**
 * Adds the options every store-using command takes: `--store <url>` (a SQLite path or a postgres:// URL;
 * env UNIREC_STORE), `--db <path>` (the same for a SQLite file, kept from before --store) and
 * `--redis <url>` (env UNIREC_REDIS). Defaults are applied by resolveStoreFlags, not commander, so it can
 * tell a flag given from a default.
 */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--store <url>', `the store: a SQLite file path or postgres://user:password@host/db[?schema=NAME] (env UNIREC_STORE; default ${DEFAULT_DB})`)
    .option('--db <path>', 'the SQLite store file (same as --store PATH)')
    .option('--redis <url>', 'Redis for cache invalidation and the job queue, redis://host:6379 (env UNIREC_REDIS)');
}

/** Flag > environment > default; `--db` and `--store` together are an error. */
export function resolveStoreFlags(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (flags.db !== undefined && flags.store !== undefined) {
    throw new UnirecError(`give the store once: --db ${flags.db} and --store ${redactUrl(flags.store)} were both given (--db PATH is the same as --store PATH)`);
  }
  const fromEnv = env.UNIREC_STORE === '' ? undefined : env.UNIREC_STORE;
  const redisEnv = env.UNIREC_REDIS === '' ? undefined : env.UNIREC_REDIS;
  return { store: flags.store ?? flags.db ?? fromEnv ?? DEFAULT_DB, redis: flags.redis ?? redisEnv };
}

/** A URL with its password taken out, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1@');
}
