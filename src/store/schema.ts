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
 *
 * Version 3 stores artifacts in chunks (`artifact_chunks`, one row per ARTIFACT_CHUNK_BYTES, written in
 * the model row's transaction): a SQLite value holds at most 1 GB, and an artifact with an HNSW graph
 * over 10^6 items is more. `models.size` is the artifact's length and `models.chunks` its number of
 * chunks; a model saved before (chunks = 0) still has its bytes in `models.artifact`, which is empty for
 * the others. MIGRATE_TO_3 adds the two columns to an older file (see SqliteStore.migrate). Models can
 * be deleted; `model_versions` keeps the last version number given to each name, so a number never
 * names two artifacts.
 */
export const SCHEMA_VERSION = 3;

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
  size            INTEGER NOT NULL DEFAULT 0,
  chunks          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS artifact_chunks (
  name    TEXT NOT NULL,
  version INTEGER NOT NULL,
  chunk   INTEGER NOT NULL,
  bytes   BLOB NOT NULL,
  PRIMARY KEY (name, version, chunk)
);
CREATE TABLE IF NOT EXISTS model_versions (
  name TEXT PRIMARY KEY,
  last INTEGER NOT NULL
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

/** Brings the models table of a version 1-2 file to version 3 (its artifacts stay where they are). */
export const MIGRATE_TO_3 = `
ALTER TABLE models ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE models ADD COLUMN chunks INTEGER NOT NULL DEFAULT 0;
UPDATE models SET size = length(artifact);
INSERT INTO model_versions (name, last) SELECT name, max(version) FROM models GROUP BY name;
`;
