import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { IdMap } from '../data/idmap.js';
import { Interactions } from '../data/interactions.js';
import { UnirecError } from '../errors.js';
import { BinaryCopyReader, readInt8 } from './copy-binary.js';
import { checkEvent, DEFAULT_KIND } from './event-input.js';
import { checkSchemaName, LOCK, migrate } from './postgres-schema.js';
import { ARTIFACT_CHUNK_BYTES, chunksOf } from './artifact-bytes.js';
import { sha256 } from './checksum.js';
import type {
  AppendResult,
  Attributes,
  ChangeFeed,
  EventInput,
  ModelInfo,
  ModelRecord,
  NewModel,
  Store,
  StoreChange,
  StoreCounts,
  StoredEvent,
  StoreSnapshot,
} from './store.js';
import { newModelInfo } from './store.js';
import { asUnavailable, isConnectionFailure } from './unavailable.js';

export interface PostgresOptions {
  /** connections in the pool (default 10; each replica and worker has its own pool) */
  poolSize?: number;
  /** how long to wait for a connection before failing with StoreUnavailableError (default 5000 ms) */
  connectionTimeoutMs?: number;
  /** an idle connection is closed after this long (default 30000 ms) */
  idleTimeoutMs?: number;
  /**
   * the server ends a session left idle inside a transaction this long (default 60000 ms), so a process
   * that hangs mid-write cannot hold the write lock for ever
   */
  idleInTransactionTimeoutMs?: number;
  /** shown in pg_stat_activity (default 'unirec') */
  applicationName?: string;
  /** bytes per stored artifact chunk (default ARTIFACT_CHUNK_BYTES, 64 MiB; tests use small ones) */
  artifactChunkBytes?: number;
}

/** Rows fetched per round trip when streaming users and items out of a server-side cursor. */
const FETCH_ROWS = 20_000;

/** From this many events a batch is inserted with COPY rather than one INSERT from arrays (see insertByCopy). */
const COPY_ROWS = 1_000;
/** events written in one group commit at most (a larger batch still goes whole, alone) */
const GROUP_EVENTS = 50_000;

interface ModelRow {
  name: string;
  version: number;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  checksum: string;
  created: number;
  active: boolean;
  trained_through: number;
  bytes: number;
  chunks: number;
  /** the bytes of a model saved before schema version 2 (chunks = 0) */
  artifact?: Buffer | null;
}

/** The registry's columns of a model row (`bytes`: the artifact's length). */
const MODEL_COLS = 'name, version, params, metrics, checksum, created, active, trained_through, size AS bytes, chunks';

interface ChangeRow {
  cursor: number;
  type: string;
  ref: string | null;
  lo: number | null;
  hi: number | null;
}

/** int8 (counts, seq, cursor) as a JS number instead of a string: exact up to 2^53, far beyond any log. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The Store on PostgreSQL, for several API replicas and training workers sharing one store. Same promises
 * as SqliteStore: a batch of events is all or nothing; an idempotency key is stored once, whoever retries
 * it from wherever (unique constraint, ON CONFLICT DO NOTHING); every method resolves only after its
 * transaction committed; artifacts carry a sha256 checksum verified on read; one model is active (a
 * partial unique index) and activating is one transaction; sequence numbers come from identity columns
 * and are never reused.
 *
 * The change log. A replica that loaded a snapshot follows `changesSince(cursor)`: it asks for cursors
 * above the last one it saw. That is only correct if cursor order is commit order. An identity value is
 * taken when the row is inserted, not when its transaction commits: writer A could take cursor 7, writer
 * B cursor 8 and commit first, a reader would see 8, move its cursor past 7, and never see A's change.
 * So every write that logs a change first takes `pg_advisory_xact_lock(LOCK.write, <schema>)` inside its
 * transaction: writers run one at a time, each takes its cursor (and its event seqs) while holding the
 * lock, and the lock is released only after the commit is visible. Cursors are therefore handed out in
 * commit order, a reader's snapshot always sees a prefix of the log, and the seq range logged for a batch
 * holds that batch's events only. The cost is that writes to one store do not run in parallel, which is
 * what SQLite does too; a write holds the lock for a few milliseconds (an import batch of 10,000 events
 * for tens). Reads (snapshot, changesSince, history, models) never take it.
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  /** the schema the tables live in */
  readonly schema: string | undefined;
  /** the second key of the advisory locks: a hash of the schema, so stores in other schemas do not wait for us */
  private lockKey = 0;
  /** kind name -> kid, for kinds known committed (kinds are never deleted) */
  private readonly kindIds = new Map<string, number>();
  /** batches waiting for the next group commit, and whether one is under way */
  private readonly pendingAppends: { events: EventInput[]; resolve: (r: AppendResult) => void; reject: (err: unknown) => void }[] = [];
  private committing = false;
  private eventSeqName = '';
  private closed = false;
  private readonly chunkBytes: number;

  private constructor(
    /** the URL without its password */
    readonly path: string,
    pool: pg.Pool,
    schema: string | undefined,
    chunkBytes: number,
  ) {
    this.chunkBytes = chunkBytes;
    this.pool = pool;
    this.schema = schema;
    // An idle connection that breaks (server restart, network) emits 'error' on the pool, which drops it
    // and opens a new one on the next request; without a listener the error would end the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * Connects, creates the schema when `?schema=NAME` asks for one, and applies pending migrations.
   * `url` is a postgres:// or postgresql:// URL; fails with StoreUnavailableError when the server cannot
   * be reached.
   */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { connectionString, schema, label } = parseUrl(url);
    const chunkBytes = options.artifactChunkBytes ?? ARTIFACT_CHUNK_BYTES;
    if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new UnirecError(`artifactChunkBytes must be a positive integer, not ${chunkBytes}`);
    const startup = [`-c idle_in_transaction_session_timeout=${Math.round(options.idleInTransactionTimeoutMs ?? 60_000)}`];
    if (schema !== undefined) startup.push(`-c search_path=${schema}`);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      // Probe an idle socket after 10 s, so a peer that vanished without closing is noticed.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: options.applicationName ?? 'unirec',
      options: startup.join(' '),
      types,
    });
    const store = new PostgresStore(label, pool, schema, chunkBytes);
    try {
      await store.withClient(async (client) => {
        await migrate(client, schema, label);
        const r = await client.query<{ key: number; seq: string }>(
          `SELECT hashtext(current_schema()) AS key, pg_get_serial_sequence('events', 'seq') AS seq`,
        );
        store.lockKey = r.rows[0]!.key;
        store.eventSeqName = r.rows[0]!.seq;
      });
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  // ---------------------------------------------------------------- connections and transactions

  /**
   * Runs `fn` on one pooled connection. Connection failures become StoreUnavailableError. A connection
   * that broke is destroyed on release (`release(err)`), never handed to the next caller; the pool opens
   * a fresh one when needed, so the store recovers by itself once the server is back.
   */
  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new UnirecError(`the store ${this.path} is closed`);
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw asUnavailable(err, this.path);
    }
    let broken: Error | undefined;
    // While checked out, the pool no longer listens for the connection's errors; a connection that dies
    // between two of our queries would otherwise raise an unhandled 'error' event.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      return await fn(client);
    } catch (err) {
      // Only an error the server sent leaves the connection in a known state. Anything else (the network,
      // or our own code failing half-way through a COPY stream) and the connection is not reused.
      if (isConnectionFailure(err) || !(err instanceof pg.DatabaseError)) broken = err as Error;
      throw asUnavailable(err, this.path);
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /**
   * One transaction. 'write' takes the write lock first (see the class comment); 'snapshot' is REPEATABLE
   * READ READ ONLY: every statement sees the same committed state. On any error the transaction is rolled
   * back (or the connection discarded when it broke) and the error thrown.
   */
  private transaction<T>(mode: 'write' | 'snapshot' | 'models', fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      const begin =
        mode === 'write'
          ? `BEGIN; SELECT pg_advisory_xact_lock(${LOCK.write}, ${this.lockKey})`
          : mode === 'models'
            ? `BEGIN; SELECT pg_advisory_xact_lock(${LOCK.models}, ${this.lockKey})`
            : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
      await client.query(begin);
      try {
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        // The server refused a statement: roll back and keep the connection. Otherwise the connection is
        // dropped (withClient), which rolls the transaction back on the server.
        if (err instanceof pg.DatabaseError && !isConnectionFailure(err)) await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  private async query<R extends QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]> {
    return this.withClient(async (client) => (await client.query<R>(sql, values)).rows);
  }

  // ---------------------------------------------------------------- events

  /**
   * Group commit: batches that arrive while a commit is under way wait for the next one, which writes
   * them all in one transaction (one round of queries, one WAL flush, one change-log row). Every batch was
   * checked alone first, so what is left to fail is the database itself, and then every batch of the
   * group fails and none is acknowledged. Each caller gets back exactly its own events.
   */
  async appendEvents(events: EventInput[]): Promise<AppendResult> {
    events.forEach(checkEvent);
    if (events.length === 0) return { stored: [], duplicates: 0 };
    return new Promise<AppendResult>((resolve, reject) => {
      this.pendingAppends.push({ events, resolve, reject });
      if (!this.committing) void this.commitPending();
    });
  }

  private async commitPending(): Promise<void> {
    this.committing = true;
    try {
      while (this.pendingAppends.length > 0) {
        // A group: whatever is waiting, up to GROUP_EVENTS events (one large import batch goes alone).
        let take = 0;
        let size = 0;
        while (take < this.pendingAppends.length && (take === 0 || size + this.pendingAppends[take]!.events.length <= GROUP_EVENTS)) {
          size += this.pendingAppends[take]!.events.length;
          take++;
        }
        const group = this.pendingAppends.splice(0, take);
        try {
          const outcome = await this.writeEvents(group.length === 1 ? group[0]!.events : group.flatMap((g) => g.events));
          let at = 0;
          for (const g of group) {
            const mine = outcome.slice(at, at + g.events.length).filter((e): e is StoredEvent => e !== undefined);
            at += g.events.length;
            g.resolve({ stored: mine, duplicates: g.events.length - mine.length });
          }
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /** Writes checked events in one transaction; the stored event of each input row, undefined for a duplicate key. */
  private async writeEvents(events: EventInput[]): Promise<(StoredEvent | undefined)[]> {
    const now = Date.now() / 1000;
    // Ids and kinds in first-seen order: keys are created in the order the batch mentions them.
    const userIds = distinct(events, (e) => e.user);
    const itemIds = distinct(events, (e) => e.item);
    const kindNames = distinct(events, (e) => e.kind ?? DEFAULT_KIND);
    const keys = events.flatMap((e) => (e.key === undefined ? [] : [e.key]));
    const learnedKinds = new Map<string, number>();
    const result = await this.transaction('write', async (client) => {
      const users = await upsertKeys(client, 'users', 'uid', userIds);
      const items = await upsertKeys(client, 'items', 'iid', itemIds);
      const unknownKinds = kindNames.filter((k) => !this.kindIds.has(k));
      const kinds = unknownKinds.length > 0 ? await upsertKeys(client, 'kinds', 'kid', unknownKinds, 'name') : new Map<string, number>();
      for (const [k, v] of kinds) learnedKinds.set(k, v);
      const kid = (k: string) => kinds.get(k) ?? this.kindIds.get(k)!;

      // Keys already in the log, and keys repeated within the batch (the first one wins), are acknowledged
      // as duplicates. Under the write lock nobody else can add a key meanwhile; ON CONFLICT below is the
      // database's own guarantee on top.
      const seen = new Set<string>();
      if (keys.length > 0) {
        const r = await client.query<{ key: string }>('SELECT key FROM events WHERE key = ANY($1::text[])', [keys]);
        for (const row of r.rows) seen.add(row.key);
      }
      const rows: number[] = [];
      events.forEach((e, r) => {
        if (e.key !== undefined) {
          if (seen.has(e.key)) return;
          seen.add(e.key);
        }
        rows.push(r);
      });
      const n = rows.length;
      const out = new Array<StoredEvent | undefined>(events.length);
      if (n === 0) return out;

      // The seqs are taken first and inserted explicitly, so each stored event knows its own seq whatever
      // order the server inserts or returns rows in.
      const seqRows = await client.query<{ s: number }>('SELECT nextval($1::regclass) AS s FROM generate_series(1, $2)', [this.eventSeqName, n]);
      const seqs = Float64Array.from(seqRows.rows, (r) => r.s).sort();
      const col: EventColumns = {
        seq: new Array<number>(n),
        uid: new Array<number>(n),
        iid: new Array<number>(n),
        value: new Array<number>(n),
        ts: new Array<number | null>(n),
        kind: new Array<number>(n),
        key: new Array<string | null>(n),
      };
      const stored: StoredEvent[] = new Array(n);
      for (let j = 0; j < n; j++) {
        const e = events[rows[j]!]!;
        const value = e.value ?? 1;
        const ts = e.ts ?? now;
        const kind = e.kind ?? DEFAULT_KIND;
        col.seq[j] = seqs[j]!;
        col.uid[j] = users.get(e.user)!;
        col.iid[j] = items.get(e.item)!;
        col.value[j] = value;
        col.ts[j] = Number.isNaN(ts) ? null : ts;
        col.kind[j] = kid(kind);
        col.key[j] = e.key ?? null;
        stored[j] = { seq: seqs[j]!, user: e.user, item: e.item, value, ts, kind, ...(e.key === undefined ? {} : { key: e.key }) };
      }
      const inserted = n >= COPY_ROWS ? await insertByCopy(client, col) : await insertByUnnest(client, col);
      const landed = inserted.rowCount === n ? undefined : new Set(inserted.rows.map((r) => r.seq));
      let lo = Infinity;
      let hi = -Infinity;
      for (let j = 0; j < n; j++) {
        if (landed && !landed.has(stored[j]!.seq)) continue;
        out[rows[j]!] = stored[j];
        lo = Math.min(lo, stored[j]!.seq);
        hi = Math.max(hi, stored[j]!.seq);
      }
      if (lo <= hi) await client.query(`INSERT INTO changes (type, lo, hi) VALUES ('events', $1, $2)`, [lo, hi]);
      return out;
    });
    // Only now that the transaction committed are the new kinds' ids real.
    for (const [k, v] of learnedKinds) this.kindIds.set(k, v);
    return result;
  }

  async userHistory(user: string, limit: number): Promise<StoredEvent[] | undefined> {
    return this.withClient(async (client) => {
      const u = await client.query<{ uid: number }>('SELECT uid FROM users WHERE id = $1', [user]);
      if (u.rows.length === 0) return undefined;
      const r = await client.query<{ seq: number; item: string; value: number; ts: number | null; kind: string; key: string | null }>(
        `SELECT e.seq, i.id AS item, e.value, e.ts, k.name AS kind, e.key
         FROM events e JOIN items i ON i.iid = e.iid JOIN kinds k ON k.kid = e.kind
         WHERE e.uid = $1 ORDER BY e.ts DESC NULLS LAST, e.seq DESC LIMIT $2`,
        [u.rows[0]!.uid, limit],
      );
      return r.rows.map((row) => ({
        seq: row.seq,
        user,
        item: row.item,
        value: row.value,
        ts: row.ts ?? NaN,
        kind: row.kind,
        ...(row.key === null ? {} : { key: row.key }),
      }));
    });
  }

  // ---------------------------------------------------------------- catalogue

  async putItem(id: string, attributes: Attributes): Promise<boolean> {
    return this.transaction('write', async (client) => {
      const before = await client.query<{ deleted: boolean }>('SELECT deleted FROM items WHERE id = $1', [id]);
      await client.query(
        'INSERT INTO items (id, attributes) VALUES ($1, $2::json) ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes, deleted = false',
        [id, JSON.stringify(attributes)],
      );
      await client.query(`INSERT INTO changes (type, ref) VALUES ('item', $1)`, [id]);
      return before.rows.length === 0 || before.rows[0]!.deleted;
    });
  }

  async deleteItem(id: string): Promise<boolean> {
    return this.transaction('write', async (client) => {
      const r = await client.query('UPDATE items SET deleted = true WHERE id = $1 AND NOT deleted', [id]);
      if (r.rowCount === 0) return false;
      await client.query(`INSERT INTO changes (type, ref) VALUES ('item', $1)`, [id]);
      return true;
    });
  }

  async getItem(id: string): Promise<Attributes | undefined> {
    const rows = await this.query<{ attributes: Attributes | null }>('SELECT attributes FROM items WHERE id = $1 AND NOT deleted', [id]);
    return rows.length === 0 ? undefined : (rows[0]!.attributes ?? {});
  }

  async putUser(id: string, attributes: Attributes): Promise<boolean> {
    return this.transaction('write', async (client) => {
      const before = await client.query('SELECT 1 FROM users WHERE id = $1', [id]);
      await client.query('INSERT INTO users (id, attributes) VALUES ($1, $2::json) ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes', [
        id,
        JSON.stringify(attributes),
      ]);
      await client.query(`INSERT INTO changes (type, ref) VALUES ('user', $1)`, [id]);
      return before.rows.length === 0;
    });
  }

  async deleteUser(id: string): Promise<boolean> {
    return this.transaction('write', async (client) => {
      const u = await client.query<{ uid: number }>('SELECT uid FROM users WHERE id = $1', [id]);
      if (u.rows.length === 0) return false;
      await client.query('DELETE FROM events WHERE uid = $1', [u.rows[0]!.uid]);
      await client.query('DELETE FROM users WHERE uid = $1', [u.rows[0]!.uid]);
      await client.query(`INSERT INTO changes (type, ref) VALUES ('user-deleted', $1)`, [id]);
      return true;
    });
  }

  async getUser(id: string): Promise<Attributes | undefined> {
    const rows = await this.query<{ attributes: Attributes | null }>('SELECT attributes FROM users WHERE id = $1', [id]);
    return rows.length === 0 ? undefined : (rows[0]!.attributes ?? {});
  }

  async putItems(rows: { id: string; attributes: Attributes }[]): Promise<void> {
    await this.putMany('items', 'item', rows);
  }

  async putUsers(rows: { id: string; attributes: Attributes }[]): Promise<void> {
    await this.putMany('users', 'user', rows);
  }

  /**
   * Upserts many rows in one statement, as SqliteStore does one by one: a repeated id ends with its last
   * attributes (one statement may not update a row twice, so repeats are folded first) and every row is
   * one change in the log, in the order given.
   */
  private async putMany(table: 'items' | 'users', type: 'item' | 'user', rows: { id: string; attributes: Attributes }[]): Promise<void> {
    if (rows.length === 0) return;
    const last = new Map<string, string>();
    for (const r of rows) last.set(r.id, JSON.stringify(r.attributes));
    const revive = table === 'items' ? ', deleted = false' : '';
    await this.transaction('write', async (client) => {
      await client.query(
        `INSERT INTO ${table} (id, attributes)
         SELECT id, attributes::json FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(id, attributes, ord) ORDER BY ord
         ON CONFLICT (id) DO UPDATE SET attributes = excluded.attributes${revive}`,
        [[...last.keys()], [...last.values()]],
      );
      await client.query(`INSERT INTO changes (type, ref) SELECT $1, ref FROM unnest($2::text[]) WITH ORDINALITY AS t(ref, ord) ORDER BY ord`, [
        type,
        rows.map((r) => r.id),
      ]);
    });
  }

  // ---------------------------------------------------------------- snapshot and change feed

  /**
   * Everything in one REPEATABLE READ READ ONLY transaction, so ids, events, `seq` and `cursor` agree.
   * Users and items stream from a server-side cursor in batches; events stream as binary COPY straight
   * into typed arrays (about 60 bytes a row on the wire, no row objects), so 10M events need only the
   * arrays themselves in memory.
   */
  async snapshot(): Promise<StoreSnapshot> {
    return this.transaction('snapshot', async (client) => {
      const users = new IdMap();
      const userAttributes: (Attributes | undefined)[] = [];
      const top = (await client.query<{ u: number; i: number; k: number; lo: number; hi: number; ehi: number | null; cursor: number }>(
        `SELECT (SELECT coalesce(max(uid), 0) FROM users) AS u, (SELECT coalesce(max(iid), 0) FROM items) AS i,
                (SELECT coalesce(max(kid), 0) FROM kinds) AS k,
                (SELECT coalesce(min(seq), 1) FROM events) AS lo, (SELECT coalesce(max(seq), 0) FROM events) AS hi,
                (SELECT max(hi) FROM changes WHERE type = 'events') AS ehi,
                (SELECT coalesce(max(cursor), 0) FROM changes) AS cursor`,
      )).rows[0]!;
      const userDense = new Int32Array(top.u + 1).fill(-1);
      await fetchAll<[number, string, Attributes | null]>(client, 'SELECT uid, id, attributes FROM users ORDER BY uid', (rows) => {
        for (const [uid, id, attributes] of rows) {
          userDense[uid] = users.add(id);
          userAttributes.push(attributes ?? undefined);
        }
      });
      const items = new IdMap();
      const itemAttributes: (Attributes | undefined)[] = [];
      const itemDense = new Int32Array(top.i + 1).fill(-1);
      const deleted: number[] = [];
      await fetchAll<[number, string, Attributes | null, boolean]>(client, 'SELECT iid, id, attributes, deleted FROM items ORDER BY iid', (rows) => {
        for (const [iid, id, attributes, gone] of rows) {
          const dense = items.add(id);
          itemDense[iid] = dense;
          itemAttributes.push(attributes ?? undefined);
          if (gone) deleted.push(dense);
        }
      });
      const deletedItems = new Uint8Array(items.size);
      for (const i of deleted) deletedItems[i] = 1;
      const kindName = new Map((await client.query<{ kid: number; name: string }>('SELECT kid, name FROM kinds')).rows.map((r) => [r.kid, r.name]));

      // Seqs are never reused, so (max - min + 1) bounds the number of events without counting them.
      let capacity = Math.max(0, top.hi - top.lo + 1);
      let user = new Int32Array(capacity);
      let item = new Int32Array(capacity);
      let value = new Float32Array(capacity);
      let ts = new Float64Array(capacity);
      let kind = new Uint16Array(capacity);
      let seqs = new Float64Array(capacity);
      // kid -> code in the snapshot: codes in order of first appearance in the log, as SqliteStore gives them
      const kindCode = new Int32Array(top.k + 1).fill(-1);
      const kinds: string[] = [];
      let r = 0;
      const reader = new BinaryCopyReader(6, (buf, at, len) => {
        if (r === capacity) throw new Error('more events than the seq range allows: was a seq reused?');
        seqs[r] = readInt8(buf, at[0]!);
        user[r] = userDense[buf.readInt32BE(at[1]!)]!;
        item[r] = itemDense[buf.readInt32BE(at[2]!)]!;
        value[r] = buf.readDoubleBE(at[3]!);
        ts[r] = len[4]! < 0 ? NaN : buf.readDoubleBE(at[4]!);
        const kid = buf.readInt32BE(at[5]!);
        let code = kindCode[kid]!;
        if (code < 0) {
          code = Math.min(kinds.length, 65535);
          if (kinds.length < 65536) kinds.push(kindName.get(kid)!);
          kindCode[kid] = code;
        }
        kind[r] = code;
        r++;
      });
      const stream = client.query(copyTo('COPY (SELECT seq, uid, iid, value, ts, kind FROM events ORDER BY seq) TO STDOUT (FORMAT binary)'));
      for await (const chunk of stream) reader.push(chunk as Buffer);
      reader.end();
      if (r < capacity) {
        // Deleted users left holes in the seq range: keep exact-length arrays (copies only when worth it).
        const fit = <A extends Int32Array | Float32Array | Float64Array | Uint16Array>(a: A): A => (r < capacity * 0.9 ? (a.slice(0, r) as A) : (a.subarray(0, r) as A));
        user = fit(user);
        item = fit(item);
        value = fit(value);
        ts = fit(ts);
        kind = fit(kind);
        seqs = fit(seqs);
        capacity = r;
      }
      return {
        // The log's high-water mark, even when the newest events were deleted with their user.
        seq: Math.max(r > 0 ? seqs[r - 1]! : 0, top.ehi ?? 0),
        cursor: top.cursor,
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
    });
  }

  async changesSince(cursor: number, limit = 10_000): Promise<ChangeFeed> {
    return this.transaction('snapshot', async (client) => {
      const changes: StoreChange[] = [];
      let at = cursor;
      let more = false;
      // Same paging as SqliteStore: whole log rows (a batch of events is never split) until `limit`
      // changes. A row's events are read only when the row can still be in this page: `hi - lo + 1`
      // bounds its count, so a page of big import batches does not read them all to return a few.
      for (;;) {
        const rows = (await client.query<ChangeRow>('SELECT cursor, type, ref, lo, hi FROM changes WHERE cursor > $1 ORDER BY cursor LIMIT $2', [
          at,
          Math.max(1, limit - changes.length + 1), // at least one: is there more?
        ])).rows;
        if (rows.length === 0) break;
        const take: ChangeRow[] = [];
        let bound = changes.length;
        for (const row of rows) {
          if (bound >= limit) break;
          take.push(row);
          bound += row.type === 'events' ? row.hi! - row.lo! + 1 : 1;
        }
        if (take.length === 0) {
          more = true;
          break;
        }
        const read = await this.readChanges(client, take);
        take.forEach((row, j) => {
          changes.push(...read[j]!);
          at = row.cursor;
        });
      }
      return { cursor: at, changes, more };
    });
  }

  /** Logged changes as they read now (an event batch: its events that still exist), in three queries. */
  private async readChanges(client: PoolClient, rows: ChangeRow[]): Promise<StoreChange[][]> {
    const batches = rows.filter((r) => r.type === 'events');
    type EventRow = [number, string, string, number, number | null, string, string | null];
    const events: EventRow[] =
      batches.length === 0
        ? []
        : (
            await client.query<EventRow>({
              text: `SELECT e.seq, u.id, i.id, e.value, e.ts, k.name, e.key
                     FROM unnest($1::bigint[], $2::bigint[]) AS r(lo, hi)
                     JOIN events e ON e.seq BETWEEN r.lo AND r.hi
                     JOIN users u ON u.uid = e.uid JOIN items i ON i.iid = e.iid JOIN kinds k ON k.kid = e.kind
                     ORDER BY e.seq`,
              values: [batches.map((r) => r.lo), batches.map((r) => r.hi)],
              rowMode: 'array',
            })
          ).rows;
    const refs = (type: string) => [...new Set(rows.filter((r) => r.type === type).map((r) => r.ref!))];
    const itemRefs = refs('item');
    const userRefs = refs('user');
    const items = new Map<string, { attributes: Attributes | null; deleted: boolean }>();
    if (itemRefs.length > 0) {
      for (const r of (await client.query<{ id: string; attributes: Attributes | null; deleted: boolean }>('SELECT id, attributes, deleted FROM items WHERE id = ANY($1::text[])', [itemRefs])).rows) {
        items.set(r.id, r);
      }
    }
    const users = new Map<string, Attributes | null>();
    if (userRefs.length > 0) {
      for (const r of (await client.query<{ id: string; attributes: Attributes | null }>('SELECT id, attributes FROM users WHERE id = ANY($1::text[])', [userRefs])).rows) {
        users.set(r.id, r.attributes);
      }
    }
    return rows.map((row): StoreChange[] => {
      switch (row.type) {
        case 'events': {
          const out: StoreChange[] = [];
          for (let j = firstAtLeast(events, row.lo!); j < events.length && events[j]![0] <= row.hi!; j++) {
            const [seq, user, item, value, ts, kind, key] = events[j]!;
            out.push({ type: 'event', event: { seq, user, item, value, ts: ts ?? NaN, kind, ...(key === null ? {} : { key }) } });
          }
          return out;
        }
        case 'item': {
          const it = items.get(row.ref!);
          const deleted = it === undefined || it.deleted;
          return [{ type: 'item', id: row.ref!, attributes: deleted ? undefined : (it.attributes ?? {}), deleted }];
        }
        case 'user': {
          const attributes = users.get(row.ref!);
          return [{ type: 'user', id: row.ref!, attributes: attributes === undefined ? undefined : (attributes ?? {}) }];
        }
        case 'user-deleted':
          return [{ type: 'user-deleted', id: row.ref! }];
        case 'model':
          return [{ type: 'model', name: row.ref!, version: row.lo! }];
        default:
          throw new UnirecError(`the store ${this.path} has a change of unknown type "${row.type}"; is it from a newer unirec?`);
      }
    });
  }

  async counts(): Promise<StoreCounts> {
    const rows = await this.query<StoreCounts>(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM items WHERE NOT deleted) AS items, (SELECT count(*) FROM models) AS models`,
    );
    return rows[0]!;
  }

  // ---------------------------------------------------------------- models

  /** The model row and its artifact's chunks, in one transaction: all of it is stored, or none. */
  async saveModel(model: NewModel): Promise<ModelInfo> {
    const checksum = sha256(model.artifact);
    const created = Date.now() / 1000;
    // Two workers registering the same name at once: the models lock numbers them one after the other.
    const version = await this.transaction('models', async (client) => {
      const v = model.version ?? (await this.takeVersion(client, model.name));
      if (model.version !== undefined) {
        const r = await client.query<{ last: number | null; taken: boolean }>(
          'SELECT (SELECT last FROM model_versions WHERE name = $1) AS last, EXISTS (SELECT 1 FROM models WHERE name = $1 AND version = $2) AS taken',
          [model.name, v],
        );
        const { last, taken } = r.rows[0]!;
        if (!Number.isInteger(v) || v < 1 || v > (last ?? 0) || taken) throw new Error(`model ${model.name}@${v} was not reserved with reserveModelVersion, or is already saved`);
      }
      await client.query(
        `INSERT INTO models (name, version, params, metrics, checksum, created, active, trained_through, artifact, size, chunks)
         VALUES ($1, $2, $3::json, $4::json, $5, $6, false, $7, NULL, 0, 0)`,
        [model.name, v, JSON.stringify(model.params), JSON.stringify(model.metrics), checksum, created, model.trainedThroughSeq],
      );
      let chunks = 0;
      let size = 0;
      // One chunk per statement: a Buffer parameter goes over the wire as binary, a chunk at a time.
      for (const chunk of chunksOf(model.artifact, this.chunkBytes)) {
        await client.query('INSERT INTO artifact_chunks (name, version, chunk, bytes) VALUES ($1, $2, $3, $4)', [
          model.name,
          v,
          chunks++,
          Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        ]);
        size += chunk.byteLength;
      }
      await client.query('UPDATE models SET size = $3, chunks = $4 WHERE name = $1 AND version = $2', [model.name, v, size, chunks]);
      return v;
    });
    return newModelInfo(model, version, checksum, created);
  }

  async reserveModelVersion(name: string): Promise<number> {
    return this.transaction('models', (client) => this.takeVersion(client, name));
  }

  /** The next version number of a name, recorded as given (inside a transaction holding the models lock). */
  private async takeVersion(client: PoolClient, name: string): Promise<number> {
    const r = await client.query<{ v: number }>(
      `SELECT greatest(coalesce((SELECT max(version) FROM models WHERE name = $1), 0), coalesce((SELECT last FROM model_versions WHERE name = $1), 0)) + 1 AS v`,
      [name],
    );
    const v = r.rows[0]!.v;
    await client.query('INSERT INTO model_versions (name, last) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last = excluded.last', [name, v]);
    return v;
  }

  async listModels(name?: string): Promise<ModelInfo[]> {
    const rows =
      name === undefined
        ? await this.query<ModelRow>(`SELECT ${MODEL_COLS} FROM models ORDER BY name, version`)
        : await this.query<ModelRow>(`SELECT ${MODEL_COLS} FROM models WHERE name = $1 ORDER BY version`, [name]);
    return rows.map(toInfo);
  }

  async getModel(name: string, version?: number): Promise<ModelRecord | undefined> {
    return version === undefined
      ? this.readModel('WHERE name = $1 ORDER BY version DESC LIMIT 1', [name])
      : this.readModel('WHERE name = $1 AND version = $2', [name, version]);
  }

  /**
   * One model row and its artifact, in one REPEATABLE READ transaction: a model saved before chunks has
   * its bytes in the row; otherwise its chunks are read one statement each, so no reply holds more than
   * one chunk (node-postgres reads bytea as hex text: a 64 MiB chunk is a 128 MiB string for a moment;
   * its binary result mode is not implemented).
   */
  private readModel(where: string, args: unknown[]): Promise<ModelRecord | undefined> {
    return this.transaction('snapshot', async (client) => {
      const rows = await client.query<ModelRow>(`SELECT ${MODEL_COLS}, CASE WHEN chunks = 0 THEN artifact END AS artifact FROM models ${where}`, args);
      const row = rows.rows[0];
      if (row === undefined) return undefined;
      const chunks: Buffer[] = [];
      if (row.chunks === 0) chunks.push(row.artifact ?? Buffer.alloc(0));
      for (let k = 0; k < row.chunks; k++) {
        const r = await client.query<{ bytes: Buffer }>('SELECT bytes FROM artifact_chunks WHERE name = $1 AND version = $2 AND chunk = $3', [row.name, row.version, k]);
        if (r.rows.length === 0) break; // a missing chunk: toRecord says the artifact is damaged
        chunks.push(r.rows[0]!.bytes);
      }
      return toRecord(row, chunks);
    });
  }

  async activateModel(name: string, version: number): Promise<ModelInfo | undefined> {
    const ok = await this.transaction('write', async (client) => {
      const exists = await client.query('SELECT 1 FROM models WHERE name = $1 AND version = $2', [name, version]);
      if (exists.rows.length === 0) return false;
      await client.query('UPDATE models SET active = false WHERE active');
      await client.query('UPDATE models SET active = true WHERE name = $1 AND version = $2', [name, version]);
      await client.query(`INSERT INTO changes (type, ref, lo) VALUES ('model', $1, $2)`, [name, version]);
      return true;
    });
    if (!ok) return undefined;
    return (await this.listModels(name)).find((m) => m.version === version);
  }

  async activeModel(): Promise<ModelRecord | undefined> {
    return this.readModel('WHERE active', []);
  }

  /**
   * Under the models lock, so it waits for a save under way (one whose process was just killed may still
   * be committing: the version is then either saved and deleted here, or never saved), then the write
   * lock, so it cannot race an activation of the same version (the writes wait only for the delete).
   */
  async deleteModel(name: string, version: number): Promise<boolean> {
    return this.transaction('models', async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${LOCK.write}, ${this.lockKey})`);
      const r = await client.query<{ active: boolean }>('SELECT active FROM models WHERE name = $1 AND version = $2 FOR UPDATE', [name, version]);
      if (r.rows.length === 0) return false;
      if (r.rows[0]!.active) throw new UnirecError(`model ${name}@${version} is the active model; activate another before deleting it`);
      await client.query('DELETE FROM artifact_chunks WHERE name = $1 AND version = $2', [name, version]);
      await client.query('DELETE FROM models WHERE name = $1 AND version = $2', [name, version]);
      return true;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Splits `?schema=NAME` off the URL (the driver would not know it) and names the store for people: the
 * URL without its password.
 */
export function parseUrl(url: string): { connectionString: string; schema: string | undefined; label: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UnirecError(`the store URL "${redact(url)}" is not a valid URL (expected postgres://user:password@host:5432/database[?schema=NAME])`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UnirecError(`the store URL "${redact(url)}" is not a PostgreSQL URL (postgres:// or postgresql://)`);
  }
  const raw = u.searchParams.get('schema');
  const label0 = new URL(u.href);
  label0.password = '';
  const label = label0.href;
  const schema = raw === null ? undefined : checkSchemaName(raw, label);
  u.searchParams.delete('schema');
  return { connectionString: u.href, schema, label };
}

/** A URL with any password taken out, for error messages about a URL that may not parse. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1@');
}

/** The distinct values of `key` over `rows`, in first-seen order. */
function distinct<T>(rows: T[], key: (row: T) => string): string[] {
  return [...new Set(rows.map(key))];
}

/**
 * Integer keys for string ids, adding the missing ones in the order given (so keys follow first sight),
 * in one statement: the insert's RETURNING gives the new keys, the join the existing ones (a statement
 * does not see its own CTE's inserts, so nothing is counted twice). Callers hold the write lock.
 */
async function upsertKeys(client: PoolClient, table: 'users' | 'items' | 'kinds', key: 'uid' | 'iid' | 'kid', ids: string[], column = 'id'): Promise<Map<string, number>> {
  const r = await client.query<[number, string]>({
    text: `WITH input AS (SELECT v, ord FROM unnest($1::text[]) WITH ORDINALITY AS t(v, ord)),
           added AS (INSERT INTO ${table} (${column}) SELECT v FROM input ORDER BY ord ON CONFLICT (${column}) DO NOTHING RETURNING ${key}, ${column})
           SELECT ${key}, ${column} FROM added
           UNION ALL SELECT t.${key}, t.${column} FROM ${table} t JOIN input ON input.v = t.${column}`,
    values: [ids],
    rowMode: 'array',
  });
  const out = new Map<string, number>();
  for (const [k, id] of r.rows) out.set(id, k);
  if (out.size < ids.length) {
    // Only without the write lock: another transaction inserted an id after this statement's snapshot
    // was taken and committed while ON CONFLICT waited for it. A new statement sees it.
    const missing = ids.filter((id) => !out.has(id));
    const again = await client.query<[number, string]>({ text: `SELECT ${key}, ${column} FROM ${table} WHERE ${column} = ANY($1::text[])`, values: [missing], rowMode: 'array' });
    for (const [k, id] of again.rows) out.set(id, k);
  }
  return out;
}

/** The columns of a batch of events about to be inserted, seqs already taken. */
interface EventColumns {
  seq: number[];
  uid: number[];
  iid: number[];
  value: number[];
  ts: (number | null)[];
  kind: number[];
  key: (string | null)[];
}

/** One multi-row INSERT from arrays: the cheapest way for a small batch (one round trip). */
function insertByUnnest(client: PoolClient, col: EventColumns) {
  return client.query<{ seq: number }>(
    `INSERT INTO events (seq, uid, iid, value, ts, kind, key)
     SELECT * FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::float8[], $5::float8[], $6::integer[], $7::text[])
     ON CONFLICT (key) DO NOTHING RETURNING seq`,
    [col.seq, col.uid, col.iid, col.value, col.ts, col.kind, col.key],
  );
}

/**
 * A big batch (imports) is streamed with COPY into a temporary table of this connection (emptied at
 * commit), then moved into events with one INSERT ... SELECT, which keeps ON CONFLICT for the keys.
 * Measured (bench store-import, 1M rows in 10,000-row transactions): 1.2x to 1.6x faster than unnest over two runs.
 */
async function insertByCopy(client: PoolClient, col: EventColumns) {
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS incoming_events (seq bigint, uid integer, iid integer, value float8, ts float8, kind integer, key text) ON COMMIT DELETE ROWS',
  );
  const n = col.seq.length;
  const lines: string[] = new Array(n);
  for (let j = 0; j < n; j++) {
    const ts = col.ts[j];
    const key = col.key[j];
    lines[j] = `${col.seq[j]}\t${col.uid[j]}\t${col.iid[j]}\t${col.value[j]}\t${ts === null ? '\\N' : ts}\t${col.kind[j]}\t${key === null ? '\\N' : copyText(key)}\n`;
  }
  await pipeline(Readable.from([lines.join('')]), client.query(copyFrom('COPY incoming_events FROM STDIN')));
  return client.query<{ seq: number }>('INSERT INTO events SELECT * FROM incoming_events ON CONFLICT (key) DO NOTHING RETURNING seq');
}

/** A string as a field of COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
}

/** Streams a query's rows (as arrays) from a server-side cursor, FETCH_ROWS at a time; inside a transaction. */
async function fetchAll<R extends unknown[]>(client: PoolClient, sql: string, onRows: (rows: R[]) => void): Promise<void> {
  await client.query(`DECLARE snapshot_rows NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const r = await client.query<R>({ text: `FETCH ${FETCH_ROWS} FROM snapshot_rows`, rowMode: 'array' });
    if (r.rows.length > 0) onRows(r.rows);
    if (r.rows.length < FETCH_ROWS) break;
  }
  await client.query('CLOSE snapshot_rows');
}

/** The first index of rows (sorted by their first column) whose first column is >= x. */
function firstAtLeast(rows: [number, ...unknown[]][], x: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]![0] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function toInfo(r: ModelRow): ModelInfo {
  return {
    name: r.name,
    version: r.version,
    params: r.params,
    metrics: r.metrics,
    checksum: r.checksum,
    created: r.created,
    active: r.active,
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
