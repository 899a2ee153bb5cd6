import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_URL } from './services.js';

/**
 * The shared store of a scale-out test: a fresh schema in the test PostgreSQL (`?schema=` makes the
 * store create it), dropped by `drop`.
 */
export async function scaleOutStore(name: string): Promise<{ location: string; drop: () => Promise<void> }> {
  const schema = `${name}_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL!);
  url.searchParams.set('schema', schema);
  return {
    location: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
