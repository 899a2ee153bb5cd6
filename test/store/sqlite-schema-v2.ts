/**
 * The SQLite schema of version 2 exactly as unirec shipped it (before artifacts were chunked), to write a
 * store the way an older unirec did and check that this one still reads it. Never edit: it is history.
 */
export const SCHEMA_V2 = `
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
