/**
 * A Redis location as unirec takes it: a redis:// URL whose optional `prefix` query parameter names
 * this deployment's channels, queue and keys (default "unirec"), so several deployments (or test runs)
 * can share one Redis. The rest of the URL goes to the client as it is.
 */
export interface RedisLocation {
  url: string;
  prefix: string;
}

export function parseRedisUrl(text: string): RedisLocation {
  const url = new URL(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`--redis must be a redis:// URL, got "${text}"`);
  const prefix = url.searchParams.get('prefix') ?? 'unirec';
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new Error(`the Redis prefix must be letters, digits, "_", "." or "-", got "${prefix}"`);
  url.searchParams.delete('prefix');
  return { url: url.toString(), prefix };
}

/** The Redis URL without its password, for messages. */
export function redactedUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}
