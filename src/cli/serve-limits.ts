import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LIMITS, type ServeLimits } from '../serve/limits.js';

/** A whole number >= 0 (0 turns a limit off), or which flag is wrong. */
function count(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} must be a whole number >= 0, got "${value}"`);
    return n;
  };
}

function positive(flag: string) {
  const parse = count(flag);
  return (value: string): number => {
    const n = parse(value);
    if (n === 0) throw new InvalidArgumentError(`${flag} must be at least 1, got "${value}"`);
    return n;
  };
}

export interface LimitFlags {
  maxK: number;
  maxExplainK: number;
  rateLimit: number;
  heavyRateLimit: number;
  heavyK: number;
  authFailLimit: number;
  holdOverLimit: number;
  maxConnections: number;
  idleTimeout: number;
  requestTimeout: number;
  acceptMissingWal?: boolean;
  writerThread?: boolean;
}

/** The flags of `unirec serve` that bound what one client may ask (see ServeLimits). */
export function addLimitOptions(cmd: Command): Command {
  const d = DEFAULT_LIMITS;
  return cmd
    .option('--max-k <n>', 'largest k for /recommend and /similar', positive('--max-k'), d.maxK)
    .option('--max-explain-k <n>', 'largest k for /recommend with explain=true', positive('--max-explain-k'), d.maxExplainK)
    .option('--rate-limit <n>', 'requests per second per read key (per address on public routes; write keys are not limited); 0: no limit', count('--rate-limit'), d.rateLimit)
    .option('--heavy-rate-limit <n>', 'heavy requests (explain, or k above --heavy-k) per second per API key; 0: no limit', count('--heavy-rate-limit'), d.heavyRateLimit)
    .option('--heavy-k <n>', 'a /recommend or /similar list longer than this counts as heavy', positive('--heavy-k'), d.heavyK)
    .option('--auth-fail-limit <n>', 'requests with a wrong or missing key per minute per address, then 429; 0: no limit', count('--auth-fail-limit'), d.authFailLimit)
    .option('--hold-over-limit <ms>', 'hold a 429 up to this long, until the client\'s window ends (0: answer at once)', count('--hold-over-limit'), d.holdOverLimitMs)
    .option('--max-connections <n>', 'open connections at once; 0: no limit', count('--max-connections'), d.maxConnections)
    .option('--idle-timeout <s>', 'seconds an idle keep-alive connection is kept', positive('--idle-timeout'), d.idleTimeoutSeconds)
    .option('--request-timeout <s>', 'seconds a request may take to arrive whole', positive('--request-timeout'), d.requestTimeoutSeconds)
    .option('--accept-missing-wal', 'serve a store copied while in use without its -wal file (it may lack acknowledged events)')
    .option('--writer-thread', 'group-commit events on a thread of its own (for disks where a sync takes milliseconds)');
}

export function limitsFrom(flags: LimitFlags): ServeLimits {
  return {
    maxK: flags.maxK,
    maxExplainK: flags.maxExplainK,
    rateLimit: flags.rateLimit,
    heavyRateLimit: flags.heavyRateLimit,
    heavyK: flags.heavyK,
    authFailLimit: flags.authFailLimit,
    holdOverLimitMs: flags.holdOverLimit,
    maxConnections: flags.maxConnections,
    idleTimeoutSeconds: flags.idleTimeout,
    requestTimeoutSeconds: flags.requestTimeout,
  };
}
