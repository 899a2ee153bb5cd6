import { createHash } from 'node:crypto';
import { UnirecError } from '../errors.js';

/** What a route needs: nothing, a key with read scope, or a key with write scope (which can also read). */
export type Scope = 'public' | 'read' | 'write';

/** API keys by scope, kept as sha256 digests: looking a key up compares digests, not the secret. */
export interface ApiKeys {
  read: Set<string>;
  write: Set<string>;
  /** how many of the keys are weak (shorter than STRONG_KEY_LENGTH or of few distinct characters) */
  weak?: number;
}

/** Shorter keys are refused: they can be guessed. */
export const MIN_KEY_LENGTH = 16;
/** Shorter keys (or ones of fewer than 10 distinct characters) are weak: a warning when listening beyond this machine. */
export const STRONG_KEY_LENGTH = 32;

const digest = (key: string): string => createHash('sha256').update(key).digest('hex');

/** The digest a key is known by (for rate-limit buckets: never the key itself). */
export const keyDigest = digest;

function checkKey(key: string, where: string): void {
  if (key.length < MIN_KEY_LENGTH) {
    throw new UnirecError(`${where}: an API key must be at least ${MIN_KEY_LENGTH} characters (this one has ${key.length}); make one with: openssl rand -hex 24`);
  }
}

const isWeak = (key: string): boolean => key.length < STRONG_KEY_LENGTH || new Set(key).size < 10;

/**
 * Keys from `--api-key KEY` (full access) and UNIREC_API_KEYS: a comma-separated list of `read:KEY`,
 * `write:KEY` or bare `KEY` (full access).
 */
export function parseApiKeys(flagKeys: readonly string[], envText: string | undefined): ApiKeys {
  const keys: ApiKeys = { read: new Set(), write: new Set(), weak: 0 };
  for (const key of flagKeys) {
    if (key.trim() === '') throw new UnirecError('--api-key must not be empty');
    checkKey(key.trim(), '--api-key');
    if (isWeak(key.trim())) keys.weak!++;
    keys.write.add(digest(key.trim()));
  }
  for (const part of (envText ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    const scope = at < 0 ? 'write' : part.slice(0, at);
    const key = at < 0 ? part : part.slice(at + 1);
    if ((scope !== 'read' && scope !== 'write') || key === '') {
      throw new UnirecError(`UNIREC_API_KEYS: "${scope}:…" is not read:KEY, write:KEY or KEY`);
    }
    checkKey(key, `UNIREC_API_KEYS (a ${scope} key)`);
    if (isWeak(key)) keys.weak!++;
    keys[scope].add(digest(key));
  }
  return keys;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** A warning when the server listens beyond this machine with a weak key, else undefined. */
export function keyWarning(keys: ApiKeys, host: string): string | undefined {
  if (!hasKeys(keys) || LOOPBACK.test(host) || !keys.weak) return undefined;
  return `unirec: warning: listening on ${host} (beyond this machine) with ${keys.weak} weak API key(s): use keys of at least ${STRONG_KEY_LENGTH} random characters (openssl rand -hex 24)`;
}

export function hasKeys(keys: ApiKeys): boolean {
  return keys.read.size + keys.write.size > 0;
}

/** The key a request carries: `Authorization: Bearer KEY` or `X-API-Key: KEY`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const key = headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/** 0 when allowed, else the status to answer: 401 (no or unknown key) or 403 (read key on a write route). */
export function checkAccess(keys: ApiKeys, key: string | undefined, need: Scope): 0 | 401 | 403 {
  if (need === 'public' || !hasKeys(keys)) return 0;
  if (key === undefined || key === '') return 401;
  const d = digest(key);
  if (keys.write.has(d)) return 0;
  if (keys.read.has(d)) return need === 'read' ? 0 : 403;
  return 401;
}
