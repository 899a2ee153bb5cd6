import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { IdMap } from '../data/idmap.js';
import { Interactions } from '../data/interactions.js';
import { UnirecError } from '../errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
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

export interface SqliteOptions {
  /**
   * 'full' (default) syncs the write-ahead log on every commit: an acknowledged write survives a power
   * cut. 'normal' survives a crash of the process only, and commits faster.
   */
  synchronous?: 'full' | 'normal';
}

export const DEFAULT_DB = './unirec.db';

const DEFAULT_KIND = 'interaction';

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
  artifact?: Buffer;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The Store on one SQLite file in WAL mode (readers never wait for the writer). */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;

  constructor(
    readonly path: string,
    options: SqliteOptions = {},
  ) {
    try {
      this.db = new Database(path);
    } catch (err) {
      throw new UnirecError(`cannot open the store ${path}: ${(err as Error).message}`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    // A second process (a training worker, `unirec import`) may hold the write lock for a moment.
    this.db.pragma('busy_timeout = 10000');
    this.migrate();
    this.stmt = this.prepare();
  }

  private migrate(): void {
    this.db.exec(SCHEMA);
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
    if (row === undefined) {
      this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    } else if (Number(row.value) > SCHEMA_VERSION) {
      throw new UnirecError(`the store ${this.path} has schema version ${row.value}; this unirec reads up to ${SCHEMA_VERSION}`);
    } else if (Number(row.value) < SCHEMA_VERSION) {
      this.db.prepare(`UPDATE meta SET value = ? WHERE key = 'schema_version'`).run(String(SCHEMA_VERSION));
    }
  }

  private prepare() {
    const db = this.db;
    return {
      userKey: db.prepare<[string], { uid: number }>('SELECT uid FROM users WHERE id = ?'),
      itemKey: db.prepare<[string], { iid: number }>('SELECT iid FROM items WHERE id = ?'),
      addUser: db.prepare<[string]>('INSERT INTO users (id) VALUES (?)'),
      addItem: db.prepare<[string]>('INSERT INTO items (id) VALUES (?)'),
      addEvent: db.prepare<[number, number, number, number | null, string, string | null], { seq: number }>(
        'INSERT INTO events (uid, iid, value, ts, kind, key) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING seq',
      ),
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

  private userKey(id: string, create: boolean): number | undefined {
    const row = this.stmt.userKey.get(id);
    if (row) return row.uid;
    return create ? Number(this.stmt.addUser.run(id).lastInsertRowid) : undefined;
  }

  private itemKey(id: string, create: boolean): number | undefined {
    const row = this.stmt.itemKey.get(id);
    if (row) return row.iid;
    return create ? Number(this.stmt.addItem.run(id).lastInsertRowid) : undefined;
  }

  async appendEvents(events: EventInput[]): Promise<AppendResult> {
    return this.appendEventsSync(events);
  }

  /** The synchronous core of appendEvents: one transaction, all or nothing. */
  appendEventsSync(events: EventInput[]): AppendResult {
    const now = Date.now() / 1000;
    const run = this.db.transaction((batch: EventInput[]) => {
      // Within one transaction the keys cannot change under us, so repeated ids are looked up once.
      const users = new Map<string, number>();
      const items = new Map<string, number>();
      const stored: StoredEvent[] = [];
      let duplicates = 0;
      batch.forEach(checkEvent);
      for (const e of batch) {
        let uid = users.get(e.user);
        if (uid === undefined) users.set(e.user, (uid = this.userKey(e.user, true)!));
        let iid = items.get(e.item);
        if (iid === undefined) items.set(e.item, (iid = this.itemKey(e.item, true)!));
        const value = e.value ?? 1;
        const ts = e.ts ?? now;
        const kind = e.kind ?? DEFAULT_KIND;
        const row = this.stmt.addEvent.get(uid, iid, value, Number.isNaN(ts) ? null : ts, kind, e.key ?? null);
        if (row === undefined) duplicates++;
        else stored.push({ seq: row.seq, user: e.user, item: e.item, value, ts, kind, ...(e.key === undefined ? {} : { key: e.key }) });
      }
      if (stored.length > 0) this.stmt.logChange.run('events', null, stored[0]!.seq, stored[stored.length - 1]!.seq);
      return { stored, duplicates };
    });
    // IMMEDIATE takes the write lock first: a deferred transaction that read before another
    // connection wrote could not upgrade and would fail at once (SQLITE_BUSY) instead of waiting.
    return run.immediate(events);
  }

  async userHistory(user: string, limit: number): Promise<StoredEvent[] | undefined> {
    const uid = this.userKey(user, false);
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
      const uid = this.userKey(id, false);
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

  async saveModel(model: NewModel): Promise<ModelInfo> {
    const checksum = sha256(model.artifact);
    const created = Date.now() / 1000;
    const version = this.db.transaction(() => {
      const top = this.db.prepare('SELECT max(version) AS v FROM models WHERE name = ?').get(model.name) as { v: number | null };
      const v = (top.v ?? 0) + 1;
      this.db
        .prepare('INSERT INTO models (name, version, params, metrics, checksum, created, active, trained_through, artifact) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)')
        .run(model.name, v, JSON.stringify(model.params), JSON.stringify(model.metrics), checksum, created, model.trainedThroughSeq, model.artifact);
      return v;
    }).immediate();
    return {
      name: model.name,
      version,
      params: model.params,
      metrics: model.metrics,
      checksum,
      created,
      active: false,
      trainedThroughSeq: model.trainedThroughSeq,
      bytes: model.artifact.byteLength,
    };
  }

  async listModels(name?: string): Promise<ModelInfo[]> {
    const cols = 'name, version, params, metrics, checksum, created, active, trained_through, length(artifact) AS bytes';
    const rows = (
      name === undefined
        ? this.db.prepare(`SELECT ${cols} FROM models ORDER BY name, version`).all()
        : this.db.prepare(`SELECT ${cols} FROM models WHERE name = ? ORDER BY version`).all(name)
    ) as ModelRow[];
    return rows.map(toInfo);
  }

  async getModel(name: string, version?: number): Promise<ModelRecord | undefined> {
    const cols = 'name, version, params, metrics, checksum, created, active, trained_through, length(artifact) AS bytes, artifact';
    const row = (
      version === undefined
        ? this.db.prepare(`SELECT ${cols} FROM models WHERE name = ? ORDER BY version DESC LIMIT 1`).get(name)
        : this.db.prepare(`SELECT ${cols} FROM models WHERE name = ? AND version = ?`).get(name, version)
    ) as ModelRow | undefined;
    return row === undefined ? undefined : toRecord(row);
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
    const row = this.db
      .prepare('SELECT name, version, params, metrics, checksum, created, active, trained_through, length(artifact) AS bytes, artifact FROM models WHERE active = 1')
      .get() as ModelRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The store's own guard (the HTTP layer validates first): a wrong event fails its whole batch. */
function checkEvent(e: EventInput, index: number): void {
  const fail = (why: string): never => {
    throw new UnirecError(`event ${index}: ${why}`);
  };
  if (typeof e.user !== 'string' || e.user === '') fail('user must be a non-empty string');
  if (typeof e.item !== 'string' || e.item === '') fail('item must be a non-empty string');
  if (e.value !== undefined && !(typeof e.value === 'number' && Number.isFinite(e.value))) fail('value must be a finite number');
  if (e.ts !== undefined && typeof e.ts !== 'number') fail('ts must be a number (Unix seconds)');
  if (e.kind !== undefined && (typeof e.kind !== 'string' || e.kind === '')) fail('kind must be a non-empty string');
  if (e.key !== undefined && (typeof e.key !== 'string' || e.key === '')) fail('key must be a non-empty string');
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

/** A model row with its artifact, refused when the bytes no longer match their checksum. */
function toRecord(r: ModelRow): ModelRecord {
  const artifact = new Uint8Array(r.artifact!.buffer, r.artifact!.byteOffset, r.artifact!.byteLength);
  if (sha256(artifact) !== r.checksum) {
    throw new UnirecError(`model ${r.name}@${r.version} is damaged: its artifact does not match its sha256 checksum`);
  }
  return { ...toInfo(r), artifact };
}

export function openSqliteStore(path: string = DEFAULT_DB, options: SqliteOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
