import { createHash } from 'node:crypto';

/** The sha256 of a model artifact, hex: stored beside the bytes and checked whenever they are read. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
