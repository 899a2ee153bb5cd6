import type Database from 'better-sqlite3';

/** Events of one day (UTC), per kind. */
export interface DayCount {
  /** YYYY-MM-DD (UTC) */
  day: string;
  events: number;
}

export interface EventStats {
  /** days with at least one event, oldest first */
  perDay: DayCount[];
  /** events stored without a time (some datasets have none), or with one outside the years 0-9999 */
  undated: number;
  /** events per kind, most first */
  kinds: { kind: string; events: number }[];
  total: number;
}

const DAY = 86400;
/** 0000-01-01 and 9999-12-31 as days since 1970-01-01 */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

/**
 * Events per day and per kind, from the store's log. Counting a million rows takes a few hundred
 * milliseconds, so it is done once and then brought up to date from the rows after the last seq
 * counted (a primary-key range: cheap). Deleting a user removes events from the middle of the log;
 * `expectedTotal` (the server's own live count) tells when that happened, and the count starts over.
 */
export class EventStatsCache {
  private readonly byDayKind = new Map<string, number>();
  private throughSeq = 0;
  private total = 0;
  private readonly since: Database.Statement<[number], { day: number | null; kind: string; n: number; top: number }>;

  constructor(db: Database.Database) {
    this.since = db.prepare(
      'SELECT CAST(floor(ts / 86400) AS INTEGER) AS day, kind, count(*) AS n, max(seq) AS top FROM events WHERE seq > ? GROUP BY day, kind',
    );
  }

  get(expectedTotal: number): EventStats {
    this.catchUp();
    if (this.total !== expectedTotal) {
      this.byDayKind.clear();
      this.throughSeq = 0;
      this.total = 0;
      this.catchUp();
    }
    return this.summary();
  }

  private catchUp(): void {
    for (const row of this.since.all(this.throughSeq)) {
      const key = `${row.day ?? ''}\t${row.kind}`;
      this.byDayKind.set(key, (this.byDayKind.get(key) ?? 0) + row.n);
      this.total += row.n;
      if (row.top > this.throughSeq) this.throughSeq = row.top;
    }
  }

  private summary(): EventStats {
    const days = new Map<number, number>();
    const kinds = new Map<string, number>();
    let undated = 0;
    for (const [key, n] of this.byDayKind) {
      const tab = key.indexOf('\t');
      const day = key.slice(0, tab);
      const kind = key.slice(tab + 1);
      kinds.set(kind, (kinds.get(kind) ?? 0) + n);
      const d = Number(day);
      // Days are shown as YYYY-MM-DD: a time outside the years 0-9999 has no such date (and beyond
      // +-8.64e15 ms no Date at all: toISOString would throw), so it counts as undated.
      if (day === '' || !(d >= FIRST_DAY && d <= LAST_DAY)) undated += n;
      else days.set(d, (days.get(d) ?? 0) + n);
    }
    return {
      perDay: [...days.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([d, n]) => ({ day: new Date(d * DAY * 1000).toISOString().slice(0, 10), events: n })),
      undated,
      kinds: [...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([kind, events]) => ({ kind, events })),
      total: this.total,
    };
  }
}
