/**
 * PostgreSQL and Redis for the scale-out tests. `.ci/services` installs and starts both on loopback and
 * prints UNIREC_TEST_PG / UNIREC_TEST_REDIS; `npm test` reads them from the environment. Outside CI a
 * test that needs a missing service is skipped with the reason; in CI (CI=true) it must run, so a
 * missing service fails it instead.
 */
export const PG_URL = process.env.UNIREC_TEST_PG;
export const REDIS_URL = process.env.UNIREC_TEST_REDIS;

const HOW = 'run `eval "$(bash .ci/services)"` first (installs and starts PostgreSQL and Redis on loopback)';

/**
 * The `skip` option for a test that needs these services: false when they are configured; the reason
 * when they are not (outside CI). In CI a missing service throws, failing the test file.
 */
export function needs(...services: ('postgres' | 'redis')[]): false | string {
  const missing = services.filter((s) => (s === 'postgres' ? !PG_URL : !REDIS_URL));
  if (missing.length === 0) return false;
  const why = `${missing.join(' and ')} not configured (UNIREC_TEST_PG / UNIREC_TEST_REDIS unset): ${HOW}`;
  if (process.env.CI === 'true') throw new Error(`in CI the scale-out tests must run, but ${why}`);
  return why;
}
