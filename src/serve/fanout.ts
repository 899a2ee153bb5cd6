import { Redis } from 'ioredis';
import type { RedisLocation } from './redis-url.js';

export interface FanoutHandlers {
  /** another process committed a change to the store */
  changed(): void;
  /** a cancel request for a training job (only workers listen) */
  cancel?(jobId: number): void;
}

/**
 * Redis pub/sub between the processes of one deployment. A message is only a nudge ("the store
 * changed: read its change log now"; "cancel job N"): what changed is always read from the store, so
 * a message lost while Redis is down costs latency, never correctness — the servers then poll the
 * store on a short interval until Redis is back (see `up`).
 */
export class Fanout {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly changes: string;
  private readonly cancels: string;

  constructor(location: RedisLocation, handlers: FanoutHandlers) {
    this.changes = `${location.prefix}:changes`;
    this.cancels = `${location.prefix}:cancel`;
    // A publish while Redis is down is dropped (see notifyChanged), never queued behind a reconnect.
    this.publisher = new Redis(location.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    this.subscriber = new Redis(location.url, { maxRetriesPerRequest: null });
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    // (Re)subscribed on every connect: ioredis resubscribes by itself, and a reconnect may have missed
    // messages, so it also counts as "the store changed".
    this.subscriber.on('ready', () => handlers.changed());
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.changes) handlers.changed();
      else if (channel === this.cancels && handlers.cancel) {
        const id = Number(message);
        if (Number.isInteger(id)) handlers.cancel(id);
      }
    });
    void this.subscriber.subscribe(...(handlers.cancel ? [this.changes, this.cancels] : [this.changes])).catch(() => undefined);
  }

  /** Both connections are ready: messages flow. */
  get up(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Tells the other processes the store changed (best effort: they poll while Redis is down). */
  notifyChanged(): void {
    if (this.publisher.status === 'ready') this.publisher.publish(this.changes, '1').catch(() => undefined);
  }

  async publishCancel(jobId: number): Promise<void> {
    await this.publisher.publish(this.cancels, String(jobId));
  }

  async close(): Promise<void> {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}

/**
 * Tells running servers that the store changed (after `unirec import` or `unirec train`), so they read
 * it now rather than at their next poll. Best effort: a Redis that cannot be reached in 2 s is skipped
 * with a note (the servers poll anyway).
 */
export async function announceStoreChange(location: RedisLocation, note: (message: string) => void): Promise<void> {
  const client = new Redis(location.url, { maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.publish(`${location.prefix}:changes`, '1');
  } catch (err) {
    note(`note: could not tell the servers over Redis (${(err as Error).message}); they will see the change at their next poll`);
  } finally {
    client.disconnect();
  }
}
