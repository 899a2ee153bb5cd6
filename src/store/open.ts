import { SqliteStore, type SqliteOptions } from './sqlite.js';
import type { Store } from './store.js';

/** Opens the store at `location`: a SQLite file path (PostgreSQL URLs come with the PostgreSQL store). */
export async function openStore(location: string, options: SqliteOptions = {}): Promise<Store> {
  return new SqliteStore(location, options);
}
