import type Database from 'better-sqlite3';
import { checkEvent, DEFAULT_KIND } from './event-input.js';
import type { AppendResult, EventInput, StoredEvent } from './store.js';


/** One batch's answer in a group commit: its result, or why it alone was rolled back. */
export type BatchOutcome = { ok: AppendResult } | { err: unknown };

/**
 * Writes batches of events into a SQLite connection: users and items created on first sight, the
 * events, and one change-log row per batch. `commitGroup` writes several batches in one transaction
 * with one sync of the log, each in its own savepoint (better-sqlite3 runs a transaction function
 * inside a transaction as a savepoint), so a bad batch is rolled back and fails alone.
 * Used by SqliteStore on its own connection and by the writer thread on the thread's.
 */
export class EventWriter {
  private readonly stmt;
  readonly append: Database.Transaction<(batch: EventInput[]) => AppendResult>;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      userKey: db.prepare<[string], { uid: number }>('SELECT uid FROM users WHERE id = ?'),
      itemKey: db.prepare<[string], { iid: number }>('SELECT iid FROM items WHERE id = ?'),
      addUser: db.prepare<[string]>('INSERT INTO users (id) VALUES (?)'),
      addItem: db.prepare<[string]>('INSERT INTO items (id) VALUES (?)'),
      addEvent: db.prepare<[number, number, number, number | null, string, string | null], { seq: number }>(
        'INSERT INTO events (uid, iid, value, ts, kind, key) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING seq',
      ),
      logChange: db.prepare<[string, string | null, number | null, number | null]>('INSERT INTO changes (type, ref, lo, hi) VALUES (?, ?, ?, ?)'),
    };
    this.append = db.transaction((batch: EventInput[]) => this.write(batch));
  }

  /**
   * Every batch in one transaction (BEGIN IMMEDIATE takes the write lock first: a deferred one that
   * read before another connection wrote could not upgrade and would fail at once), committed once.
   * Throws when the commit itself fails (disk full, I/O error, read-only): then nothing is stored.
   */
  commitGroup(batches: EventInput[][]): BatchOutcome[] {
    const outcomes: BatchOutcome[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const batch of batches) {
        try {
          outcomes.push({ ok: this.append(batch) });
        } catch (err) {
          outcomes.push({ err });
        }
      }
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // SQLite has rolled back already
      }
      throw err;
    }
    return outcomes;
  }

  /** One batch inside the current transaction (or savepoint): its events and its change-log row. */
  private write(batch: EventInput[]): AppendResult {
    const now = Date.now() / 1000;
    // Within one transaction the keys cannot change under us, so repeated ids are looked up once.
    const users = new Map<string, number>();
    const items = new Map<string, number>();
    const stored: StoredEvent[] = [];
    let duplicates = 0;
    batch.forEach(checkEvent);
    for (const e of batch) {
      let uid = users.get(e.user);
      if (uid === undefined) users.set(e.user, (uid = this.key(this.stmt.userKey, this.stmt.addUser, e.user)));
      let iid = items.get(e.item);
      if (iid === undefined) items.set(e.item, (iid = this.key(this.stmt.itemKey, this.stmt.addItem, e.item)));
      const value = e.value ?? 1;
      const ts = e.ts ?? now;
      const kind = e.kind ?? DEFAULT_KIND;
      const row = this.stmt.addEvent.get(uid, iid, value, Number.isNaN(ts) ? null : ts, kind, e.key ?? null);
      if (row === undefined) duplicates++;
      else stored.push({ seq: row.seq, user: e.user, item: e.item, value, ts, kind, ...(e.key === undefined ? {} : { key: e.key }) });
    }
    if (stored.length > 0) this.stmt.logChange.run('events', null, stored[0]!.seq, stored[stored.length - 1]!.seq);
    return { stored, duplicates };
  }

  private key(find: Database.Statement<[string], Record<string, number>>, add: Database.Statement<[string]>, id: string): number {
    const row = find.get(id);
    return row ? Object.values(row)[0]! : Number(add.run(id).lastInsertRowid);
  }
}
