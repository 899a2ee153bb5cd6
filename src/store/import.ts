import type { Dataset } from '../data/dataset.js';
import type { Progress } from '../progress.js';
import type { Attributes, EventInput, Store } from './store.js';

export interface ImportOptions {
  /** rows per transaction (default 10,000): big enough to be fast, small enough to hold the lock briefly */
  batchSize?: number;
  progress?: Progress;
}

export interface ImportReport {
  events: number;
  duplicates: number;
  users: number;
  items: number;
  seconds: number;
}

/**
 * Loads a (cleaned) Dataset into the store: the catalogue first (items and users with their attributes,
 * when the data has attribute tables), then the events in log order, one transaction per batch.
 * Ratings are stored as events of kind 'rating', other interactions as 'interaction'.
 */
export async function importDataset(store: Store, ds: Dataset, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 10_000;
  if (ds.itemTable) {
    const table = ds.itemTable;
    await inBatches(ds.items.size, batchSize, options.progress, 'items', (from, to) =>
      store.putItems(rows(from, to, (i) => ({ id: ds.items.external(i), attributes: table.describe(i) as Attributes }))),
    );
  }
  if (ds.userTable) {
    const table = ds.userTable;
    await inBatches(ds.users.size, batchSize, options.progress, 'users', (from, to) =>
      store.putUsers(rows(from, to, (u) => ({ id: ds.users.external(u), attributes: table.describe(u) as Attributes }))),
    );
  }
  const x = ds.interactions;
  const kind = ds.hasRatings ? 'rating' : 'interaction';
  let events = 0;
  let duplicates = 0;
  await inBatches(x.length, batchSize, options.progress, 'events', async (from, to) => {
    const batch = rows<EventInput>(from, to, (r) => ({
      user: ds.users.external(x.user[r]!),
      item: ds.items.external(x.item[r]!),
      value: x.value[r]!,
      ts: x.ts[r]!,
      kind,
    }));
    const result = await store.appendEvents(batch);
    events += result.stored.length;
    duplicates += result.duplicates;
  });
  const seen = { users: new Set<number>(), items: new Set<number>() };
  for (let r = 0; r < x.length; r++) {
    seen.users.add(x.user[r]!);
    seen.items.add(x.item[r]!);
  }
  return {
    events,
    duplicates,
    users: ds.userTable ? ds.users.size : seen.users.size,
    items: ds.itemTable ? ds.items.size : seen.items.size,
    seconds: (performance.now() - started) / 1000,
  };
}

function rows<T>(from: number, to: number, make: (r: number) => T): T[] {
  const out: T[] = [];
  for (let r = from; r < to; r++) out.push(make(r));
  return out;
}

async function inBatches(
  n: number,
  batchSize: number,
  progress: Progress | undefined,
  label: string,
  run: (from: number, to: number) => Promise<void>,
): Promise<void> {
  const task = progress?.start(`import ${label}`, n);
  try {
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      await run(from, to);
      task?.tick(to - from);
    }
  } finally {
    task?.done();
  }
}
