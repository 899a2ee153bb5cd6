import { open } from 'node:fs/promises';
import { dirname, extname, basename } from 'node:path';
import type { IdMap } from '../data/idmap.js';
import { Interactions } from '../data/interactions.js';
import { readGenericMapping } from '../data/readers/generic.js';
import { UnirecError } from '../errors.js';

/** One event in the caller's ids. */
export interface EventRecord {
  user: string;
  item: string;
  /** rating or weight (default 1) */
  value?: number;
  /** Unix seconds (default: no time) */
  ts?: number;
  /** 'rating', 'click', 'purchase'...: a 'rating' makes the values explicit ratings */
  kind?: string;
}

/** A CSV, TSV or JSONL file of events and which of its columns hold what. */
export interface EventFile {
  path: string;
  /** column names (defaults: user, item, and value/rating and ts/timestamp/time when the file has them) */
  user?: string;
  item?: string;
  value?: string;
  ts?: string;
  /** true: the values are explicit ratings (default: true when a value column is mapped) */
  explicit?: boolean;
}

/** Where events come from: an array, an async (or sync) iterable such as a database cursor, or a file. */
export type EventSource = Iterable<EventRecord> | AsyncIterable<EventRecord> | string | EventFile;

/** Events collected into dense ids. */
export interface CollectedEvents {
  interactions: Interactions;
  /** true when some event says it is a rating, or the file's values are explicit */
  ratings: boolean;
  /** true when some event has a time */
  timed: boolean;
}

/** Growable columns for events whose count is not known in advance. */
class Columns {
  user = new Int32Array(1024);
  item = new Int32Array(1024);
  value = new Float32Array(1024);
  ts = new Float64Array(1024);
  n = 0;

  push(u: number, i: number, v: number, t: number): void {
    if (this.n === this.user.length) {
      const grow = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.user = grow(this.user);
      this.item = grow(this.item);
      this.value = grow(this.value);
      this.ts = grow(this.ts);
    }
    this.user[this.n] = u;
    this.item[this.n] = i;
    this.value[this.n] = v;
    this.ts[this.n] = t;
    this.n++;
  }

  done(): Interactions {
    return new Interactions(this.user.slice(0, this.n), this.item.slice(0, this.n), this.value.slice(0, this.n), this.ts.slice(0, this.n));
  }
}

function check(e: EventRecord, at: number): void {
  if (e === null || typeof e !== 'object') throw new UnirecError(`event ${at}: expected an object { user, item, value?, ts? }, got ${JSON.stringify(e)}`);
  if (typeof e.user !== 'string' || e.user === '') throw new UnirecError(`event ${at}: "user" must be a non-empty string, got ${JSON.stringify(e.user)}`);
  if (typeof e.item !== 'string' || e.item === '') throw new UnirecError(`event ${at}: "item" must be a non-empty string, got ${JSON.stringify(e.item)}`);
  if (e.value !== undefined && !Number.isFinite(e.value)) throw new UnirecError(`event ${at}: "value" must be a finite number, got ${JSON.stringify(e.value)}`);
  if (e.ts !== undefined && !Number.isFinite(e.ts)) throw new UnirecError(`event ${at}: "ts" must be Unix seconds, got ${JSON.stringify(e.ts)}`);
}

/** Reads every event of `source` into dense ids, adding new users and items to the maps. */
export async function collectEvents(source: EventSource, users: IdMap, items: IdMap): Promise<CollectedEvents> {
  if (typeof source === 'string' || (typeof source === 'object' && source !== null && 'path' in source && typeof source.path === 'string')) {
    return readEventFile(typeof source === 'string' ? { path: source } : source, users, items);
  }
  const cols = new Columns();
  let ratings = false;
  let timed = false;
  let at = 0;
  const add = (e: EventRecord) => {
    check(e, at++);
    if (e.kind === 'rating') ratings = true;
    if (e.ts !== undefined) timed = true;
    cols.push(users.add(e.user), items.add(e.item), e.value ?? 1, e.ts ?? Number.NaN);
  };
  if (Symbol.asyncIterator in (source as object)) for await (const e of source as AsyncIterable<EventRecord>) add(e);
  else if (Symbol.iterator in (source as object)) for (const e of source as Iterable<EventRecord>) add(e);
  else throw new UnirecError('events: expected an array, an iterable or async iterable of events, or a file path');
  return { interactions: cols.done(), ratings, timed };
}

const VALUE_NAMES = ['value', 'rating', 'weight', 'score'];
const TS_NAMES = ['ts', 'timestamp', 'time'];

/** The column names of a delimited file's header, or of a JSONL file's first object. */
async function columnsOf(path: string): Promise<string[]> {
  const handle = await open(path, 'r').catch(() => {
    throw new UnirecError(`events: cannot read ${path}`);
  });
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    const ext = extname(path).toLowerCase();
    if (ext === '.jsonl' || ext === '.ndjson') {
      try {
        return Object.keys(JSON.parse(first) as object);
      } catch {
        throw new UnirecError(`events: the first line of ${path} is not a JSON object`);
      }
    }
    return first.split(ext === '.tsv' || ext === '.tab' ? '\t' : ',').map((c) => c.trim().replace(/^"|"$/g, ''));
  } finally {
    await handle.close();
  }
}

async function readEventFile(file: EventFile, users: IdMap, items: IdMap): Promise<CollectedEvents> {
  const columns = await columnsOf(file.path);
  const pick = (names: string[]) => names.find((n) => columns.includes(n));
  const value = file.value ?? pick(VALUE_NAMES);
  const ts = file.ts ?? pick(TS_NAMES);
  const ds = await readGenericMapping(
    {
      interactions: {
        path: basename(file.path),
        user: file.user ?? 'user',
        item: file.item ?? 'item',
        ...(value ? { value } : {}),
        ...(ts ? { ts } : {}),
        ...(file.explicit !== undefined ? { explicit: file.explicit } : {}),
      },
    },
    dirname(file.path),
  );
  const x = ds.interactions;
  const cols = new Columns();
  const userIds = ds.users.toArray();
  const itemIds = ds.items.toArray();
  for (let r = 0; r < x.length; r++) cols.push(users.add(userIds[x.user[r]!]!), items.add(itemIds[x.item[r]!]!), x.value[r]!, x.ts[r]!);
  return { interactions: cols.done(), ratings: ds.hasRatings, timed: ds.hasTime };
}
