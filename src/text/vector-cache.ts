import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TextEncoder } from './encoder.js';

/**
 * An on-disk cache of text vectors per (encoder, text), in one small SQLite file, so encoding a
 * catalogue again (the next fit, the next evaluation run, another process) costs a lookup instead of
 * a model run. Texts are keyed by their SHA-256, so long descriptions cost 32 bytes of key.
 *
 * Default file: $UNIREC_CACHE_DIR/text-vectors.sqlite, else ./.cache/unirec/text-vectors.sqlite (gitignored).
 */
export function defaultCachePath(): string {
  const dir = process.env.UNIREC_CACHE_DIR ?? join(process.cwd(), '.cache', 'unirec');
  return resolve(dir, 'text-vectors.sqlite');
}

export class VectorCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, Buffer], { vec: Buffer }>;
  private readonly putStmt: Database.Statement<[string, Buffer, Buffer]>;

  constructor(readonly path: string = defaultCachePath()) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // WAL + a busy timeout: several processes (evaluation workers, a server) may share the file
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec('CREATE TABLE IF NOT EXISTS text_vectors (encoder TEXT NOT NULL, text_sha256 BLOB NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (encoder, text_sha256)) WITHOUT ROWID');
    this.getStmt = this.db.prepare('SELECT vec FROM text_vectors WHERE encoder = ? AND text_sha256 = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO text_vectors (encoder, text_sha256, vec) VALUES (?, ?, ?)');
  }

  /** The cached vector of `text` under `encoder` into out[offset ..], or false when absent. */
  get(encoder: string, text: string, dim: number, out: Float32Array, offset: number): boolean {
    const row = this.getStmt.get(encoder, textKey(text));
    if (!row || row.vec.byteLength !== dim * 4) return false;
    const v = new Float32Array(row.vec.buffer.slice(row.vec.byteOffset, row.vec.byteOffset + row.vec.byteLength));
    out.set(v, offset);
    return true;
  }

  /** Stores rows[r] of `vectors` for texts[r] (one transaction). */
  putMany(encoder: string, texts: readonly string[], vectors: Float32Array, dim: number): void {
    const put = this.db.transaction(() => {
      for (let r = 0; r < texts.length; r++) {
        const v = vectors.subarray(r * dim, (r + 1) * dim);
        this.putStmt.run(encoder, textKey(texts[r]!), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      }
    });
    put();
  }

  /** How many vectors the cache holds for an encoder. */
  count(encoder: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM text_vectors WHERE encoder = ?').get(encoder) as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function textKey(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * An encoder behind the cache: texts already cached are read, the rest (each distinct text once)
 * go to the wrapped encoder in one call and are stored. Same vectors as the encoder, bit for bit.
 */
export class CachedEncoder implements TextEncoder {
  readonly name: string;
  readonly dim: number;
  readonly cacheKey: string;
  /** texts the wrapped encoder actually ran on (a measure of cache hits for tests and logs) */
  encodedCount = 0;

  constructor(
    readonly inner: TextEncoder,
    readonly cache: VectorCache,
  ) {
    this.name = inner.name;
    this.dim = inner.dim;
    this.cacheKey = inner.cacheKey;
  }

  async encode(texts: readonly string[]): Promise<Float32Array> {
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const missing = new Map<string, number[]>();
    texts.forEach((t, r) => {
      const rows = missing.get(t);
      if (rows) rows.push(r);
      else if (!this.cache.get(this.cacheKey, t, dim, out, r * dim)) missing.set(t, [r]);
    });
    if (missing.size === 0) return out;
    const todo = [...missing.keys()];
    const fresh = await this.inner.encode(todo);
    this.encodedCount += todo.length;
    this.cache.putMany(this.cacheKey, todo, fresh, dim);
    todo.forEach((t, k) => {
      for (const r of missing.get(t)!) out.set(fresh.subarray(k * dim, (k + 1) * dim), r * dim);
    });
    return out;
  }

  dispose(): void {
    this.inner.dispose?.();
    this.cache.close();
  }
}
