import { createHash } from 'node:crypto';
import { UnirecError } from '../errors.js';

/** What a route needs: nothing, a key with read scope, or a key with write scope (which can also read). */
export type Scope = 'public' | 'read' | 'write';

/** API keys by scope, kept as sha256 digests: looking a key up compares digests, not the secret. */
export interface ApiKeys {
  read: Set<string>;
  write: Set<string>;
}

const digest = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Keys from `--api-key KEY` (full access) and UNIREC_API_KEYS: a comma-separated list of `read:KEY`,
 * `write:KEY` or bare `KEY` (full access).
 */
export function parseApiKeys(flagKeys: readonly string[], envText: string | undefined): ApiKeys {
  const keys: ApiKeys = { read: new Set(), write: new Set() };
  for (const key of flagKeys) {
    if (key.trim() === '') throw new UnirecError('--api-key must not be empty');
    keys.write.add(digest(key.trim()));
  }
  for (const part of (envText ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    const scope = at < 0 ? 'write' : part.slice(0, at);
    const key = at < 0 ? part : part.slice(at + 1);
    if ((scope !== 'read' && scope !== 'write') || key === '') {
      throw new UnirecError(`UNIREC_API_KEYS: "${scope}:…" is not read:KEY, write:KEY or KEY`);
    }
    keys[scope].add(digest(key));
  }
  return keys;
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
