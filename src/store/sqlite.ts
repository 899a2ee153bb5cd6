import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { IdMap } from '../data/idmap.js';
import { Interactions } from '../data/interactions.js';
import { UnirecError } from '../errors.js';
import { ARTIFACT_CHUNK_BYTES, chunksOf } from './artifact-bytes.js';
import { sha256 } from './checksum.js';
import { type BatchOutcome, EventWriter } from './event-writer.js';
import { MIGRATE_TO_3, SCHEMA, SCHEMA_VERSION } from './schema.js';
import type {
  AppendResult,
  Attributes,
  ChangeFeed,
  StoreChange,
  EventInput,
  ModelInfo,
  ModelRecord,
  NewModel,
  Store,
  StoreCounts,
  StoredEvent,
  StoreSnapshot,
} from './store.js';
import { newModelInfo } from './store.js';
import { WriterThread } from './writer-thread.js';

export interface SqliteOptions {
  /**
   * 'full' (default) syncs the write-ahead log on every commit: an acknowledged write survives a power
   * cut. 'normal' survives a crash of the process only, and commits faster.
   */
  synchronous?: 'full' | 'normal';
  /**
   * Open a file that was in use when it was copied without its `-wal` file (the copy may lack the
   * events acknowledged after its last checkpoint). Default false: such a file is refused, with why.
   */
  acceptMissingWal?: boolean;
  /** SQLite's quick integrity check when the file is opened (default true): a damaged file is refused */
  integrityCheck?: boolean;
  /**
   * Group commits of appended events on a thread of its own, so the sync of the log never stops the
   * event loop (default false: measured on this project's disk, committing on the loop served more
   * reads at a lower write p99, as a sync takes well under a millisecond; a thread pays off where a sync
   * takes several: see WriterThread and BENCHMARKS.md, section serve-hardening).
   */
  writerThread?: boolean;
  /** bytes per stored artifact chunk (default ARTIFACT_CHUNK_BYTES, 64 MiB; tests use small ones) */
  artifactChunkBytes?: number;
}

export const DEFAULT_DB = './unirec.db';

interface ModelRow {
  name: string;
  version: number;
  params: string;
  metrics: string;
  checksum: string;
  created: number;
  active: number;
  trained_through: number;
  bytes: number;
  chunks: number;
  /** the bytes of a model saved before schema version 3 (chunks = 0) */
  artifact?: Buffer;
}

/** The registry's columns of a model row (`bytes`: the artifact's length). */
const MODEL_COLS = 'name, version, params, metrics, checksum, created, active, trained_through, size AS bytes, chunks';

export { sha256 };

/** A batch of events waiting for the next group commit, and who to answer. */
interface PendingAppend {
  events: EventInput[];
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

/**
 * The Store on one SQLite file in WAL mode (readers never wait for the writer).
 *
 * Group commit: `appendEvents` calls that arrive in the same turn of the event loop (concurrent
 * requests, and all those that queued while a previous commit was syncing) are written in one
 * transaction with one sync of the log, each batch inside its own savepoint: a bad batch is rolled back
 * alone and fails alone, and every promise resolves only after the commit that holds its batch. With
 * `writerThread`, the same happens on a thread with its own connection (see WriterThread).
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;
  private readonly writer: EventWriter;
  private readonly thread: WriterThread | undefined;
  private pending: PendingAppend[] = [];
  private flushing = false;
  private readonly ownCommits = { commits: 0, batches: 0 };
  private readonly chunkBytes: number;

  constructor(
    readonly path: string,
    options: SqliteOptions = {},
  ) {
    this.chunkBytes = options.artifactChunkBytes ?? ARTIFACT_CHUNK_BYTES;
    if (!(Number.isInteger(this.chunkBytes) && this.chunkBytes > 0)) throw new UnirecError(`artifactChunkBytes must be a positive integer, not ${this.chunkBytes}`);
    const onDisk = path !== '' && path !== ':memory:' && !path.startsWith('file:') && existsSync(path);
    const walBefore = onDisk && existsSync(`${path}-wal`);
    const alone = onDisk && onlyConnection(path);
    try {
      this.db = new Database(path);
    } catch (err) {
      throw new UnirecError(`cannot open the store ${path}: ${(err as Error).message}`);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      if (onDisk && options.integrityCheck !== false) this.checkIntegrity();
    } catch (err) {
      this.db.close();
      if (err instanceof UnirecError) throw err;
      throw damaged(path, (err as Error).message);
    }
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    // A second process (a training worker, `unirec import`) may hold the write lock for a moment.
    this.db.pragma('busy_timeout = 10000');
    try {
      this.migrate();
      this.openSession(alone, walBefore, options.acceptMissingWal === true);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.stmt = this.prepare();
    this.writer = new EventWriter(this.db);
    const isFile = path !== '' && path !== ':memory:' && !path.startsWith('file:');
    if (isFile && options.writerThread === true) this.thread = new WriterThread(path, options.synchronous === 'normal' ? 'NORMAL' : 'FULL');
  }

  /** SQLite's quick_check (every page and index entry readable and well-formed; linear in the file). */
  private checkIntegrity(): void {
    const rows = this.db.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.flatMap((r) => r.quick_check.split('\n')).filter((r) => r !== 'ok' && !r.startsWith('***'));
    if (problems.length > 0) throw damaged(this.path, problems.join('; '));
  }

  /**
   * Counts the connections that have the file open in the file itself (checkpointed at once, so a copy
   * of the main file carries it). A file that says it is in use, opened by the only connection with no
   * `-wal` file beside it, was copied without its log (or the log was deleted): what was acknowledged
   * after the last checkpoint is not in it, and its sequence numbers would be handed out again.
   */
  private openSession(alone: boolean, walBefore: boolean, acceptMissingWal: boolean): void {
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'open_sessions'`).get() as { value: string } | undefined;
    const sessions = Number(row?.value ?? 0);
    if (alone && !walBefore && sessions > 0 && !acceptMissingWal) {
      throw new UnirecError(
        `the store ${this.path} was in use when it was copied, and its write-ahead log ${this.path}-wal is missing: ` +
          'events acknowledged after its last checkpoint are not in this file, and their sequence numbers would be reused. ' +
          `If you have the -wal file of that moment, put it beside the store as ${this.path}-wal and start again. ` +
          'To serve what this file holds anyway, pass --accept-missing-wal. To copy a live store safely, use `unirec backup --db PATH --out FILE`.',
      );
    }
    this.setSessions((alone ? 0 : sessions) + 1);
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  private setSessions(n: number): void {
    this.db.prepare(`INSERT INTO meta (key, value) VALUES ('open_sessions', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(n));
  }

  /** Creates the tables, or upgrades an older file in place (one transaction); a newer file is refused. */
  private migrate(): void {
    this.db.transaction(() => {
      const row = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get()
        ? (this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined)
        : undefined;
      if (row !== undefined && Number(row.value) > SCHEMA_VERSION) {
        throw new UnirecError(`the store ${this.path} has schema version ${row.value}; this unirec reads up to ${SCHEMA_VERSION}`);
      }
      this.db.exec(SCHEMA);
      const modelColumns = (this.db.pragma('table_info(models)') as { name: string }[]).map((c) => c.name);
      if (!modelColumns.includes('chunks')) this.db.exec(MIGRATE_TO_3);
      if (row === undefined) {
        this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
      } else if (Number(row.value) < SCHEMA_VERSION) {
        this.db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION));
      }
    }).immediate();
  }

  private prepare() {
    const db = this.db;
    return {
      userKey: db.prepare<[string], { uid: number }>('SELECT uid FROM users WHERE id = ?'),
      history: db.prepare<[number, number], { seq: number; item: string; value: number; ts: number | null; kind: string; key: string | null }>(
        'SELECT e.seq, i.id AS item, e.value, e.ts, e.kind, e.key FROM events e JOIN items i ON i.iid = e.iid WHERE e.uid = ? ORDER BY e.ts IS NULL, e.ts DESC, e.seq DESC LIMIT ?',
      ),
      getItem: db.prepare<[string], { attributes: string | null }>('SELECT attributes FROM items WHERE id = ? AND deleted = 0'),
      getUser: db.prepare<[string], { attributes: string | null }>('SELECT attributes FROM users WHERE id = ?'),
      putItem: db.prepare<[string, string]>(
        'INSERT INTO items (id, attributes) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes, deleted = 0',
      ),
      putUser: db.prepare<[string, string]>('INSERT INTO users (id, attributes) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes'),
      deleteItem: db.prepare<[string]>('UPDATE items SET deleted = 1 WHERE id = ? AND deleted = 0'),
      deleteUserEvents: db.prepare<[number]>('DELETE FROM events WHERE uid = ?'),
      deleteUser: db.prepare<[number]>('DELETE FROM users WHERE uid = ?'),
      logChange: db.prepare<[string, string | null, number | null, number | null]>('INSERT INTO changes (type, ref, lo, hi) VALUES (?, ?, ?, ?)'),
    };
  }

  private userKey(id: string): number | undefined {
    return this.stmt.userKey.get(id)?.uid;
  }

  /** Transactions committed by group commit, and the batches they held (for tests). */
  get groupCommits(): { commits: number; batches: number } {
    return { ...(this.thread?.stats ?? this.ownCommits) };
  }

  /** Appends the batch in the next group commit (see the class): resolved once it is on disk. */
  appendEvents(events: EventInput[]): Promise<AppendResult> {
    if (this.thread) return this.thread.append(events);
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every batch waiting: one transaction, one savepoint per batch, one sync. */
  private flush(): void {
    this.flushing = false;
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    let results: BatchOutcome[];
    try {
      results = this.writer.commitGroup(group.map((p) => p.events));
    } catch (err) {
      // The commit itself failed (disk full, I/O error, read-only): nothing of the group is stored.
      for (const p of group) p.reject(err);
      return;
    }
    this.ownCommits.commits++;
    this.ownCommits.batches += group.length;
    group.forEach((p, i) => {
      const r = results[i]!;
      if ('ok' in r) p.resolve(r.ok);
      else p.reject(r.err);
    });
  }

  /** The synchronous core of appendEvents: one transaction, all or nothing. */
  appendEventsSync(events: EventInput[]): AppendResult {
    // IMMEDIATE takes the write lock first: a deferred transaction that read before another
    // connection wrote could not upgrade and would fail at once (SQLITE_BUSY) instead of waiting.
    return this.writer.append.immediate(events);
  }

  async userHistory(user: string, limit: number): Promise<StoredEvent[] | undefined> {
    const uid = this.userKey(user);
    if (uid === undefined) return undefined;
    return this.stmt.history.all(uid, limit).map((r) => ({
      seq: r.seq,
      user,
      item: r.item,
      value: r.value,
      ts: r.ts ?? NaN,
      kind: r.kind,
      ...(r.key === null ? {} : { key: r.key }),
    }));
  }

  async putItem(id: string, attributes: Attributes): Promise<boolean> {
    return this.db.transaction(() => {
      const isNew = this.stmt.getItem.get(id) === undefined;
      this.stmt.putItem.run(id, JSON.stringify(attributes));
      this.stmt.logChange.run('item', id, null, null);
      return isNew;
    }).immediate();
  }

  async deleteItem(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.stmt.deleteItem.run(id).changes === 0) return false;
      this.stmt.logChange.run('item', id, null, null);
      return true;
    }).immediate();
  }

  async getItem(id: string): Promise<Attributes | undefined> {
    const row = this.stmt.getItem.get(id);
    return row === undefined ? undefined : parseAttributes(row.attributes);
  }

  async putUser(id: string, attributes: Attributes): Promise<boolean> {
    return this.db.transaction(() => {
      const isNew = this.stmt.userKey.get(id) === undefined;
      this.stmt.putUser.run(id, JSON.stringify(attributes));
      this.stmt.logChange.run('user', id, null, null);
      return isNew;
    }).immediate();
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const uid = this.userKey(id);
      if (uid === undefined) return false;
      this.stmt.deleteUserEvents.run(uid);
      this.stmt.deleteUser.run(uid);
      this.stmt.logChange.run('user-deleted', id, null, null);
      return true;
    }).immediate();
  }

  async getUser(id: string): Promise<Attributes | undefined> {
    const row = this.stmt.getUser.get(id);
    return row === undefined ? undefined : parseAttributes(row.attributes);
  }

  async putItems(rows: { id: string; attributes: Attributes }[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of rows) {
        this.stmt.putItem.run(r.id, JSON.stringify(r.attributes));
        this.stmt.logChange.run('item', r.id, null, null);
      }
    }).immediate();
  }

  async putUsers(rows: { id: string; attributes: Attributes }[]): Promise<void> {
    this.db.transaction(() => {
      for (const r of rows) {
        this.stmt.putUser.run(r.id, JSON.stringify(r.attributes));
        this.stmt.logChange.run('user', r.id, null, null);
      }
    }).immediate();
  }

  async snapshot(): Promise<StoreSnapshot> {
    return this.snapshotSync();
  }

  /** Everything, read in one transaction so the ids, the events and `seq` agree. */
  snapshotSync(): StoreSnapshot {
    return this.db.transaction(() => {
      const users = new IdMap();
      const userAttributes: (Attributes | undefined)[] = [];
      const userDense = new Map<number, number>();
      for (const r of this.db.prepare('SELECT uid, id, attributes FROM users ORDER BY uid').iterate() as Iterable<{ uid: number; id: string; attributes: string | null }>) {
        userDense.set(r.uid, users.add(r.id));
        userAttributes.push(r.attributes === null ? undefined : parseAttributes(r.attributes));
      }
      const items = new IdMap();
      const itemAttributes: (Attributes | undefined)[] = [];
      const deleted: number[] = [];
      const itemDense = new Map<number, number>();
      for (const r of this.db.prepare('SELECT iid, id, attributes, deleted FROM items ORDER BY iid').iterate() as Iterable<{ iid: number; id: string; attributes: string | null; deleted: number }>) {
        const dense = items.add(r.id);
        itemDense.set(r.iid, dense);
        itemAttributes.push(r.attributes === null ? undefined : parseAttributes(r.attributes));
        if (r.deleted) deleted.push(dense);
      }
      const deletedItems = new Uint8Array(items.size);
      for (const i of deleted) deletedItems[i] = 1;

      const n = (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      const user = new Int32Array(n);
      const item = new Int32Array(n);
      const value = new Float32Array(n);
      const ts = new Float64Array(n);
      const kind = new Uint16Array(n);
      const seqs = new Float64Array(n);
      const kinds: string[] = [];
      const kindCode = new Map<string, number>();
      let seq = 0;
      let r = 0;
      const rows = this.db.prepare('SELECT seq, uid, iid, value, ts, kind FROM events ORDER BY seq').raw().iterate() as Iterable<[number, number, number, number, number | null, string]>;
      for (const [s, uid, iid, v, t, k] of rows) {
        user[r] = userDense.get(uid)!;
        item[r] = itemDense.get(iid)!;
        value[r] = v;
        ts[r] = t ?? NaN;
        let code = kindCode.get(k);
        if (code === undefined) {
          code = Math.min(kinds.length, 65535);
          if (kinds.length < 65536) kinds.push(k);
          kindCode.set(k, code);
        }
        kind[r] = code;
        seqs[r] = s;
        seq = s;
        r++;
      }
      // The log's high-water mark, even when the newest events were deleted with their user.
      const top = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).get() as { seq: number } | undefined;
      const cursor = (this.db.prepare('SELECT coalesce(max(cursor), 0) AS c FROM changes').get() as { c: number }).c;
      return {
        seq: Math.max(seq, top?.seq ?? 0),
        cursor,
        users,
        items,
        interactions: new Interactions(user, item, value, ts),
        seqs,
        kind,
        kinds,
        deletedItems,
        itemAttributes,
        userAttributes,
      };
    })();
  }

  async changesSince(cursor: number, limit = 10_000): Promise<ChangeFeed> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT cursor, type, ref, lo, hi FROM changes WHERE cursor > ? ORDER BY cursor LIMIT ?')
        .all(cursor, limit + 1) as { cursor: number; type: string; ref: string | null; lo: number | null; hi: number | null }[];
      const changes: StoreChange[] = [];
      let at = cursor;
      let more = false;
      for (const r of rows) {
        if (changes.length >= limit) {
          more = true;
          break;
        }
        changes.push(...this.readChange(r.type, r.ref, r.lo, r.hi));
        at = r.cursor;
      }
      return { cursor: at, changes, more };
    })();
  }

  /** One logged change as it reads now (an event batch: its events that still exist). */
  private readChange(type: string, ref: string | null, lo: number | null, hi: number | null): StoreChange[] {
    switch (type) {
      case 'events': {
        const rows = this.db
          .prepare(
            'SELECT e.seq, u.id AS user, i.id AS item, e.value, e.ts, e.kind, e.key FROM events e JOIN users u ON u.uid = e.uid JOIN items i ON i.iid = e.iid WHERE e.seq BETWEEN ? AND ? ORDER BY e.seq',
          )
          .all(lo, hi) as { seq: number; user: string; item: string; value: number; ts: number | null; kind: string; key: string | null }[];
        return rows.map((r) => ({
          type: 'event',
          event: { seq: r.seq, user: r.user, item: r.item, value: r.value, ts: r.ts ?? NaN, kind: r.kind, ...(r.key === null ? {} : { key: r.key }) },
        }));
      }
      case 'item': {
        const row = this.db.prepare('SELECT attributes, deleted FROM items WHERE id = ?').get(ref) as { attributes: string | null; deleted: number } | undefined;
        const deleted = row === undefined || row.deleted === 1;
        return [{ type: 'item', id: ref!, attributes: deleted ? undefined : parseAttributes(row.attributes), deleted }];
      }
      case 'user': {
        const row = this.stmt.getUser.get(ref!);
        return [{ type: 'user', id: ref!, attributes: row === undefined ? undefined : parseAttributes(row.attributes) }];
      }
      case 'user-deleted':
        return [{ type: 'user-deleted', id: ref! }];
      case 'model':
        return [{ type: 'model', name: ref!, version: lo! }];
      default:
        throw new UnirecError(`the store ${this.path} has a change of unknown type "${type}"; is it from a newer unirec?`);
    }
  }

  async counts(): Promise<StoreCounts> {
    const count = (table: string, where = ''): number => (this.db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }).n;
    return { events: count('events'), users: count('users'), items: count('items', 'WHERE deleted = 0'), models: count('models') };
  }

  /** The model row and its artifact's chunks, in one transaction: all of it is stored, or none. */
  async saveModel(model: NewModel): Promise<ModelInfo> {
    const checksum = sha256(model.artifact);
    const created = Date.now() / 1000;
    const version = this.db.transaction(() => {
      const v = model.version ?? this.takeVersion(model.name);
      if (model.version !== undefined) {
        const reserved = this.db.prepare('SELECT last FROM model_versions WHERE name = ?').get(model.name) as { last: number } | undefined;
        const taken = this.db.prepare('SELECT 1 FROM models WHERE name = ? AND version = ?').get(model.name, v) !== undefined;
        if (!Number.isInteger(v) || v < 1 || v > (reserved?.last ?? 0) || taken) throw new Error(`model ${model.name}@${v} was not reserved with reserveModelVersion, or is already saved`);
      }
      const insertChunk = this.db.prepare('INSERT INTO artifact_chunks (name, version, chunk, bytes) VALUES (?, ?, ?, ?)');
      let chunks = 0;
      let size = 0;
      for (const chunk of chunksOf(model.artifact, this.chunkBytes)) {
        insertChunk.run(model.name, v, chunks++, chunk);
        size += chunk.byteLength;
      }
      this.db
        .prepare(
          `INSERT INTO models (name, version, params, metrics, checksum, created, active, trained_through, artifact, size, chunks) VALUES (?, ?, ?, ?, ?, ?, 0, ?, X'', ?, ?)`,
        )
        .run(model.name, v, JSON.stringify(model.params), JSON.stringify(model.metrics), checksum, created, model.trainedThroughSeq, size, chunks);
      return v;
    }).immediate();
    return newModelInfo(model, version, checksum, created);
  }

  async reserveModelVersion(name: string): Promise<number> {
    return this.db.transaction(() => this.takeVersion(name)).immediate();
  }

  /** The next version number of a name, recorded as given (inside a write transaction). */
  private takeVersion(name: string): number {
    const top = this.db
      .prepare('SELECT max(coalesce((SELECT max(version) FROM models WHERE name = :name), 0), coalesce((SELECT last FROM model_versions WHERE name = :name), 0)) AS v')
      .get({ name }) as { v: number };
    const v = top.v + 1;
    this.db.prepare('INSERT INTO model_versions (name, last) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last = excluded.last').run(name, v);
    return v;
  }

  async listModels(name?: string): Promise<ModelInfo[]> {
    const rows = (
      name === undefined
        ? this.db.prepare(`SELECT ${MODEL_COLS} FROM models ORDER BY name, version`).all()
        : this.db.prepare(`SELECT ${MODEL_COLS} FROM models WHERE name = ? ORDER BY version`).all(name)
    ) as ModelRow[];
    return rows.map(toInfo);
  }

  async getModel(name: string, version?: number): Promise<ModelRecord | undefined> {
    return this.readModel(
      version === undefined ? 'WHERE name = ? ORDER BY version DESC LIMIT 1' : 'WHERE name = ? AND version = ?',
      version === undefined ? [name] : [name, version],
    );
  }

  /** One model row and its artifact (its chunks, or the blob of a model saved before chunks), in one read transaction. */
  private readModel(where: string, args: unknown[]): ModelRecord | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare(`SELECT ${MODEL_COLS}, CASE WHEN chunks = 0 THEN artifact END AS artifact FROM models ${where}`).get(...args) as ModelRow | undefined;
      if (row === undefined) return undefined;
      const chunks =
        row.chunks === 0
          ? [row.artifact!]
          : (this.db.prepare('SELECT bytes FROM artifact_chunks WHERE name = ? AND version = ? ORDER BY chunk').pluck().all(row.name, row.version) as Buffer[]);
      return toRecord(row, chunks);
    })();
  }

  async activateModel(name: string, version: number): Promise<ModelInfo | undefined> {
    const ok = this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM models WHERE name = ? AND version = ?').get(name, version);
      if (!exists) return false;
      this.db.prepare('UPDATE models SET active = 0 WHERE active = 1').run();
      this.db.prepare('UPDATE models SET active = 1 WHERE name = ? AND version = ?').run(name, version);
      this.stmt.logChange.run('model', name, version, null);
      return true;
    }).immediate();
    if (!ok) return undefined;
    return (await this.listModels(name)).find((m) => m.version === version);
  }

  async activeModel(): Promise<ModelRecord | undefined> {
    return this.readModel('WHERE active = 1', []);
  }

  async deleteModel(name: string, version: number): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT active FROM models WHERE name = ? AND version = ?').get(name, version) as { active: number } | undefined;
      if (row === undefined) return false;
      if (row.active === 1) throw new UnirecError(`model ${name}@${version} is the active model; activate another before deleting it`);
      this.db.prepare('DELETE FROM artifact_chunks WHERE name = ? AND version = ?').run(name, version);
      this.db.prepare('DELETE FROM models WHERE name = ? AND version = ?').run(name, version);
      return true;
    }).immediate();
  }

  /**
   * A consistent copy of the live store in `out` with SQLite's online backup API: writers go on while
   * it runs, and the copy holds every event committed when it ends (unlike a copy of the file without
   * its -wal). The copy is marked as not in use, so it opens without --accept-missing-wal.
   */
  async backup(out: string): Promise<void> {
    if (this.pending.length > 0) this.flush();
    await this.db.backup(out);
    const copy = new Database(out);
    try {
      copy.prepare(`UPDATE meta SET value = '0' WHERE key = 'open_sessions'`).run();
    } finally {
      copy.close();
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    if (this.pending.length > 0) this.flush();
    await this.thread?.close();
    try {
      const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'open_sessions'`).get() as { value: string } | undefined;
      this.setSessions(Math.max(0, Number(row?.value ?? 1) - 1));
    } catch {
      // a read-only or full disk: the count stays up, and the next open without a -wal file says so
    }
    this.db.close();
  }
}

/** The way out of a damaged store file, as an error. */
function damaged(path: string, why: string): UnirecError {
  return new UnirecError(
    `the store ${path} is damaged (SQLite: ${why}); unirec will not serve it or write into it. ` +
      `Restore your latest backup (made with \`unirec backup\`), or save what is readable: sqlite3 ${path} .recover | sqlite3 recovered.db, then serve recovered.db.`,
  );
}

/**
 * True when no other connection (in this process or another) has the file open: an exclusive lock in
 * exclusive locking mode is refused at once while any other connection holds the file.
 */
function onlyConnection(path: string): boolean {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(path, { timeout: 0 });
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('COMMIT');
    return true;
  } catch {
    return false;
  } finally {
    probe?.close();
  }
}

function parseAttributes(text: string | null): Attributes {
  return text === null ? {} : (JSON.parse(text) as Attributes);
}

function toInfo(r: ModelRow): ModelInfo {
  return {
    name: r.name,
    version: r.version,
    params: JSON.parse(r.params) as Record<string, unknown>,
    metrics: JSON.parse(r.metrics) as Record<string, number>,
    checksum: r.checksum,
    created: r.created,
    active: r.active === 1,
    trainedThroughSeq: r.trained_through,
    bytes: r.bytes,
  };
}

/** A model row with its artifact's chunks, refused when they are not all there or no longer match their checksum. */
function toRecord(r: ModelRow, chunks: Buffer[]): ModelRecord {
  const artifact = chunks.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  const size = artifact.reduce((n, c) => n + c.byteLength, 0);
  if ((r.chunks > 0 && artifact.length !== r.chunks) || size !== r.bytes || sha256(artifact) !== r.checksum) {
    throw new UnirecError(`model ${r.name}@${r.version} is damaged: its artifact does not match its sha256 checksum`);
  }
  return { ...toInfo(r), artifact };
}

export function openSqliteStore(path: string = DEFAULT_DB, options: SqliteOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
