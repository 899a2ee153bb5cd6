import { readFile, stat } from 'node:fs/promises';
import { UnirecError } from '../../errors.js';

/**
 * Text encodings of the sources: MovieLens 100K/1M are Latin-1, everything else UTF-8 unless a config
 * says otherwise. 'latin1' is ISO-8859-1 (every byte is the code point of the same number);
 * 'windows-1252' is its Windows superset (0x80-0x9f are curly quotes, dashes, the euro sign...).
 */
export const ENCODINGS = ['utf8', 'latin1', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** How the user sets a file's encoding, for the error on bytes that are not UTF-8. */
const DEFAULT_HINT = 'set "encoding": "latin1" (or "windows-1252") for this file in the config, or encoding=latin1 in --columns';

/**
 * The whole text of a file, decoded, without a byte-order mark. A missing file is a UnirecError naming
 * it (`what` says which input it was, e.g. "interactions file"). A Latin-1 file that starts with a UTF-8
 * BOM was re-saved as UTF-8 by some editor, so it is decoded as UTF-8; a UTF-16 BOM (FF FE or FE FF)
 * means UTF-16. UTF-8 is decoded strictly: bytes
 * that are not UTF-8 are an error naming the file, line and byte offset (never silent U+FFFD).
 */
export async function readText(path: string, encoding: Encoding = 'utf8', what = 'file', hint = DEFAULT_HINT): Promise<string> {
  return decodeText(await readBytes(path, what), path, encoding, hint);
}

/** decodeText's work on bytes already read (see readText). */
export function decodeText(bytes: Uint8Array, path: string, encoding: Encoding = 'utf8', hint = DEFAULT_HINT): string {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // UTF-16 with its byte-order mark (Excel's "Unicode text"): decoded as such, whatever the config says
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bom || encoding === 'utf8') return decodeUtf8(bom ? bytes.subarray(3) : bytes, bom ? 3 : 0, path, hint);
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (encoding === 'latin1') return latin1;
  // Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1, so the 0x80-0x9f block is mapped here.
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** Windows-1252's characters for bytes 0x80-0x9f (the five unassigned bytes stay as they are). */
const CP1252_HIGH: (string | undefined)[] = [
  '\u20ac', undefined, '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021', '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', undefined, '\u017d', undefined,
  undefined, '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014', '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', undefined, '\u017e', '\u0178',
];

function decodeUtf8(bytes: Uint8Array, base: number, path: string, hint: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at; k++) {
      if (bytes[k] === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    const shown = Array.from(bytes.subarray(at, Math.min(at + 4, bytes.length)), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    const before = new TextDecoder('utf-8').decode(bytes.subarray(Math.max(lineStart, at - 30), at));
    throw new UnirecError(
      `${path}:${line}: not valid UTF-8 at byte offset ${at + base} (bytes ${shown}, after ${JSON.stringify(before)}); ${hint}`,
    );
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (bytes.length when all are). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0; // no overlong forms
      if (b === 0xed) hi = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    if (i + len > n) return i;
    const b1 = bytes[i + 1]!;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return n;
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
