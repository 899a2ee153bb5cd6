import { PostgresStore, type PostgresOptions } from './postgres.js';
import { SqliteStore, type SqliteOptions } from './sqlite.js';

export interface OpenStoreOptions {
  /** for a SQLite path */
  sqlite?: SqliteOptions;
  /** for a postgres:// URL */
  postgres?: PostgresOptions;
}

/** True for a postgres:// or postgresql:// URL (anything else is a SQLite path). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The store at `location`: a PostgresStore for a postgres:// or postgresql:// URL (connected, migrated;
 * `?schema=NAME` selects a schema), otherwise a SqliteStore on that file path (created when missing).
 */
export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<SqliteStore | PostgresStore> {
  if (isPostgresUrl(location)) return PostgresStore.open(location, options.postgres);
  return new SqliteStore(location, options.sqlite);
}
