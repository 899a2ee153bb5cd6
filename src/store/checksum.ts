import { createHash } from 'node:crypto';
import { type ArtifactBytes, pieces } from './artifact-bytes.js';

/** The sha256 of a model artifact, hex: stored beside the bytes and checked whenever they are read. */
export function sha256(bytes: ArtifactBytes): string {
  const hash = createHash('sha256');
  for (const p of pieces(bytes)) hash.update(p);
  return hash.digest('hex');
}
