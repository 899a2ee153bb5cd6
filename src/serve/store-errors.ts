import { HttpError } from './errors.js';

/**
 * A storage failure the client can act on, as an HTTP answer: the disk is full (507 Insufficient
 * Storage), the store cannot be written (503: read-only file, disk error) or is busy (503). Each says
 * that nothing was stored and that a retry later is safe; the server keeps serving reads and writes
 * again once the cause is gone (SQLite rolls the failed transaction back). Undefined for anything else.
 */
export function storeFailure(err: { code?: unknown; message?: string }): HttpError | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new HttpError(507, 'the store is out of disk space: nothing of this request was stored; retry when space is freed');
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') {
    return new HttpError(503, 'the store is read-only (file permissions or a read-only disk): nothing of this request was stored; retry when it is writable');
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
    return new HttpError(503, `the store had a disk I/O error (${code}): nothing of this request was stored; retry shortly`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new HttpError(503, 'the store is busy; retry shortly');
  return undefined;
}
