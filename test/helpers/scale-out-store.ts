import { join } from 'node:path';

/**
 * The shared store of a scale-out test: a fresh file that several processes open (WAL lets them), until
 * the PostgreSQL store is in.
 */
export async function scaleOutStore(dir: string, name: string): Promise<{ location: string; drop: () => Promise<void> }> {
  return { location: join(dir, `${name}.db`), drop: async () => undefined };
}
