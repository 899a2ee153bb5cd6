import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ApiKeys, keyDigest } from './auth.js';
import type { ServeLimits } from './limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a request that costs much more than a lookup: it counts against the heavy rate limit */
    heavy?: boolean | ((request: FastifyRequest) => boolean);
    /** never rate limited (GET /health: a load balancer's probe must not get a 429) */
    unlimited?: boolean;
  }
}

/** A request past its limit: the seconds to tell the client to wait, and the milliseconds until its window ends. */
export interface OverLimit {
  retryAfter: number;
  windowEndsMs: number;
}

/** What the auth hook asks before answering: undefined to go on, or how long to wait (a 429). */
export interface RateLimiter {
  /** a request carrying a valid key (or any request when the server has no keys) */
  admit(request: FastifyRequest, key: string | undefined): Promise<OverLimit | undefined>;
  /** a request refused for its key: counted per client address, so guessing keys is slow */
  refused(request: FastifyRequest): Promise<OverLimit | undefined>;
}

const isHeavy = (request: FastifyRequest): boolean => {
  const heavy = request.routeOptions.config?.heavy;
  return typeof heavy === 'function' ? heavy(request) : heavy === true;
};

/**
 * Per-key rate limits on @fastify/rate-limit's in-memory store: a one-second window per read key (the
 * client address stands in for a key on public routes; write keys are limited on heavy requests only;
 * a server without keys, on loopback only, has no limit), a separate one for heavy requests, and a
 * one-minute window per address for requests refused for their key. The limits
 * are checked by the auth hook, which knows whether the key is valid before anything else runs.
 */
export async function rateLimiter(app: FastifyInstance, keys: ApiKeys, limits: ServeLimits): Promise<RateLimiter> {
  await app.register(rateLimit, { global: false });
  const perKey = app.createRateLimit({
    timeWindow: 1000,
    keyGenerator: (request: FastifyRequest) => (request as RequestWithBucket).bucket!,
    max: (_request: FastifyRequest, bucket: string) => (bucket.startsWith('heavy:') ? limits.heavyRateLimit : limits.rateLimit),
  });
  const perAddress = app.createRateLimit({ timeWindow: 60_000, max: limits.authFailLimit, keyGenerator: (request: FastifyRequest) => request.ip });
  const wait = (r: { isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttl: number; ttlInSeconds: number }): OverLimit | undefined =>
    !r.isAllowed && r.isExceeded ? { retryAfter: Math.max(1, r.ttlInSeconds), windowEndsMs: Math.max(0, r.ttl) } : undefined;
  const keyed = keys.read.size + keys.write.size > 0;
  return {
    async admit(request, key) {
      // A server without keys listens on loopback only: its clients are this machine's own.
      if (!keyed || request.routeOptions.config?.unlimited) return undefined;
      const heavy = isHeavy(request);
      if ((heavy ? limits.heavyRateLimit : limits.rateLimit) === 0) return undefined;
      const digest = key !== undefined && key !== '' ? keyDigest(key) : undefined;
      // A write key is the operator's own backend (it may delete users): only its heavy requests are limited.
      if (!heavy && digest !== undefined && keys.write.has(digest)) return undefined;
      const who = digest !== undefined ? `key:${digest}` : `ip:${request.ip}`;
      (request as RequestWithBucket).bucket = `${heavy ? 'heavy' : 'any'}:${who}`;
      return wait(await perKey(request));
    },
    async refused(request) {
      if (limits.authFailLimit === 0) return undefined;
      return wait(await perAddress(request));
    },
  };
}

type RequestWithBucket = FastifyRequest & { bucket?: string };
