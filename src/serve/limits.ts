/**
 * What one client may ask of the server, so that no client can stall the others: the size of a
 * recommendation list (smaller when it is explained, as each reason costs a walk over the user's
 * history), requests per second per API key (fewer for the heavy ones), wrong-key attempts per
 * minute per address, and the sockets the server keeps open.
 */
export interface ServeLimits {
  /** largest k for /recommend and /similar */
  maxK: number;
  /** largest k for /recommend with explain=true */
  maxExplainK: number;
  /**
   * requests per second per read key (per client address on public routes; write keys, /health and a
   * server without keys, which listens on loopback only, are not limited); 0: no limit. A request for a
   * user whose list is not cached scores every item (1-2 ms on ml-1m under load), so 300 a second from
   * one key took up to 70% of the event loop (BENCHMARKS.md, serve-hardening).
   */
  rateLimit: number;
  /** heavy requests (/recommend with explain, or k above heavyK) per second per API key; 0: no limit */
  heavyRateLimit: number;
  /** a /recommend or /similar list longer than this is a heavy request (its serialisation dominates) */
  heavyK: number;
  /** requests with a wrong or missing key per minute per client address; 0: no limit */
  authFailLimit: number;
  /**
   * milliseconds (at most) a 429 is held before it is sent, until the client's window ends: a client that
   * loops past its limit then waits instead of making the server answer 429s at full speed (0: at once)
   */
  holdOverLimitMs: number;
  /** open connections at once; more are refused at accept (0: no limit) */
  maxConnections: number;
  /** seconds an idle keep-alive socket is kept */
  idleTimeoutSeconds: number;
  /** seconds a request may take to arrive whole (headers and body); a slow sender is cut off */
  requestTimeoutSeconds: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  maxK: 200,
  maxExplainK: 20,
  rateLimit: 100,
  heavyRateLimit: 20,
  heavyK: 50,
  authFailLimit: 60,
  holdOverLimitMs: 1000,
  maxConnections: 1024,
  idleTimeoutSeconds: 5,
  requestTimeoutSeconds: 30,
};

export function resolveLimits(given: Partial<ServeLimits> = {}): ServeLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(given) as [keyof ServeLimits, number | undefined][]) if (value !== undefined) limits[name] = value;
  if (limits.maxExplainK > limits.maxK) limits.maxExplainK = limits.maxK;
  return limits;
}
