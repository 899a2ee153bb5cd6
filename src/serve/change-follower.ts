import type { ChangeFeed, Store, StoreChange } from '../store/store.js';

/** Changes read per query; a batch of events is never split, so a page may hold more. */
const PAGE = 5000;

/**
 * Keeps a process's in-memory view in step with the store by replaying its change log from a cursor.
 * Every write, whichever process made it (this server, another replica, `unirec import`, a training
 * worker), reaches `apply` once and in commit order. Pulls never overlap: `catchUp` waits for a pull
 * that starts after the call, so a write followed by `catchUp` is visible when it resolves.
 */
export class ChangeFollower {
  private pulling: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** the last pull failed (the store is unreachable); cleared by the next successful one */
  lastError: Error | undefined;

  constructor(
    private readonly store: Store,
    private position: number,
    /** applies one page of changes, synchronously: it must not fail half-way (the page would be replayed) */
    private readonly apply: (changes: StoreChange[]) => void,
  ) {}

  get cursor(): number {
    return this.position;
  }

  /** Resolves once every change committed before this call has been applied. */
  catchUp(): Promise<void> {
    if (!this.pulling) {
      this.pulling = this.pull().finally(() => {
        this.pulling = undefined;
      });
      return this.pulling;
    }
    // A pull is running, but it may have read the log before our caller's write committed: wait for
    // the next one. Every caller arriving meanwhile shares it.
    this.queued ??= this.pulling
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.catchUp();
      });
    return this.queued;
  }

  private async pull(): Promise<void> {
    try {
      let feed: ChangeFeed;
      do {
        feed = await this.store.changesSince(this.position, PAGE);
        this.apply(feed.changes);
        this.position = feed.cursor;
      } while (feed.more);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
      throw err;
    }
  }
}
