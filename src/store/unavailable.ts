import { UnirecError } from '../errors.js';

/**
 * The store cannot be reached right now: the connection was refused or timed out, the server is shutting
 * down or restarting (PostgreSQL 57P01 / 57P02 / 57P03, class 08), or the connection broke mid-request.
 * Nothing about the request itself is wrong, and whatever was in flight was not acknowledged: a write
 * whose transaction did not reach COMMIT is rolled back by the server. The HTTP layer answers 503 and the
 * client retries (with its idempotency key, so a retry stores its events once). The pool reconnects on
 * its own; no restart is needed.
 */
export class StoreUnavailableError extends UnirecError {
  constructor(
    /** the store as it is named to people (a URL without its password) */
    readonly store: string,
    /** what the driver said */
    readonly reason: string,
    /** the driver's code (ECONNREFUSED, 57P01...), when it gave one */
    readonly code?: string,
  ) {
    super(`the store ${store} is unavailable: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}; try again shortly`);
    this.name = 'StoreUnavailableError';
  }
}

/** Socket-level failures (Node's error codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * SQLSTATEs meaning the server went away or cannot take us now: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages node-postgres gives without a code when a connection dies or cannot be made in time. */
const MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection timeout/i, /client has encountered a connection error/i, /not queryable/i];

/** True when `err` says the database could not be reached or the connection broke (not: the query was wrong). */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
  if (err instanceof AggregateError && err.errors.some(isConnectionFailure)) return true; // "localhost" tries ::1 and 127.0.0.1
  return MESSAGES.some((m) => m.test(err.message));
}

/** `err` as a StoreUnavailableError when it is a connection failure; otherwise `err` unchanged. */
export function asUnavailable(err: unknown, store: string): unknown {
  if (err instanceof StoreUnavailableError || !isConnectionFailure(err)) return err;
  const e = err as Error & { code?: string };
  const reason = e.message || (err instanceof AggregateError ? err.errors.map((x: Error) => x.message).join('; ') : 'connection failed');
  return new StoreUnavailableError(store, reason, typeof e.code === 'string' ? e.code : undefined);
}
