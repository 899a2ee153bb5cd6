import { readFile, stat } from 'node:fs/promises';
import { UnirecError } from '../../errors.js';

/** Text encodings of the sources: MovieLens 100K/1M are Latin-1, everything else UTF-8. */
export type Encoding = 'utf8' | 'latin1';

/**
 * The whole text of a file, decoded, without a byte-order mark. A missing file is a UnirecError naming
 * it (`what` says which input it was, e.g. "interactions file"). A Latin-1 file that starts with a UTF-8
 * BOM was re-saved as UTF-8 by some editor, so it is decoded as UTF-8.
 */
export async function readText(path: string, encoding: Encoding = 'utf8', what = 'file'): Promise<string> {
  const bytes = await readBytes(path, what);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (bom) return bytes.subarray(3).toString('utf8');
  return bytes.toString(encoding);
}

/** The raw bytes of a file, with the same clear errors as readText. */
export async function readBytes(path: string, what = 'file'): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UnirecError(`no such ${what}: ${path}`);
    if (code === 'EISDIR') throw new UnirecError(`${what} is a folder, expected a file: ${path}`);
    if (code === 'EACCES') throw new UnirecError(`cannot read ${what} (permission denied): ${path}`);
    throw e;
  }
}

/** 'file', 'dir' or undefined when nothing is there. */
export async function pathKind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}
