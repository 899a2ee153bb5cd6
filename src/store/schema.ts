/**
 * The SQLite schema. Users and items get an integer key in the order they enter the store, which
 * becomes their dense id in a snapshot. Events reference them by that key, so the log stays small and
 * a user's history is one index range. `seq` is AUTOINCREMENT so a sequence number is never reused,
 * even after a user's events are deleted: a model's `trained_through` stays meaningful.
 *
 * Version 2 adds the change log: one row per committed write (a batch of events is one row holding
 * its seq range), written in the write's own transaction, which processes that hold the store in
 * memory replay from their cursor (see Store.changesSince). `CREATE ... IF NOT EXISTS` upgrades a
 * version-1 file in place; its earlier writes are in its snapshot, not in the log.
 */
export const SCHEMA_VERSION = 2;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  uid        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  attributes TEXT
);
CREATE TABLE IF NOT EXISTS items (
  iid        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  attributes TEXT,
  deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
  seq   INTEGER PRIMARY KEY AUTOINCREMENT,
  uid   INTEGER NOT NULL REFERENCES users(uid),
  iid   INTEGER NOT NULL REFERENCES items(iid),
  value REAL NOT NULL,
  ts    REAL,
  kind  TEXT NOT NULL,
  key   TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS events_by_user ON events(uid, seq);
CREATE TABLE IF NOT EXISTS models (
  name            TEXT NOT NULL,
  version         INTEGER NOT NULL,
  params          TEXT NOT NULL,
  metrics         TEXT NOT NULL,
  checksum        TEXT NOT NULL,
  created         REAL NOT NULL,
  active          INTEGER NOT NULL DEFAULT 0,
  trained_through INTEGER NOT NULL,
  artifact        BLOB NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_model ON models(active) WHERE active = 1;
CREATE TABLE IF NOT EXISTS changes (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT,
  type   TEXT NOT NULL,
  ref    TEXT,
  lo     INTEGER,
  hi     INTEGER
);
`;
