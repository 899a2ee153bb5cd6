import { UnirecError } from '../errors.js';
import type { TextEncoder } from './encoder.js';
import { GloveEncoder } from './glove.js';
import { OnnxEncoder } from './onnx.js';
import { UseLiteEncoder } from './use-lite.js';
import { CachedEncoder, VectorCache, defaultCachePath } from './vector-cache.js';

export const TEXT_ENCODERS = ['use-lite', 'glove', 'onnx'] as const;
export type TextEncoderName = (typeof TEXT_ENCODERS)[number];

export interface TextEncoderOptions {
  encoder: TextEncoderName;
  /** the model folder (use-lite: default the npm package; glove: default $UNIREC_GLOVE_PATH; onnx: $UNIREC_ONNX_PATH) */
  path?: string;
  /** the vector cache file, or false for none (default $UNIREC_CACHE_DIR or ./.cache/unirec, see vector-cache.ts) */
  cache?: string | false;
  /** texts per model call (use-lite, onnx) */
  batchSize?: number;
}

/** Loaded models, kept per process: loading USE-lite takes ~0.5 s and ~350 MB, so fits share one. */
const loaded = new Map<string, Promise<TextEncoder>>();

/** The raw encoder (no cache), loaded once per (encoder, folder, batch size). */
export function loadEncoderModel(options: TextEncoderOptions): Promise<TextEncoder> {
  const key = `${options.encoder}\0${options.path ?? ''}\0${options.batchSize ?? ''}`;
  let p = loaded.get(key);
  if (!p) {
    p = openEncoder(options);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

function openEncoder(options: TextEncoderOptions): Promise<TextEncoder> {
  switch (options.encoder) {
    case 'use-lite':
      return UseLiteEncoder.load({ path: options.path, batchSize: options.batchSize });
    case 'glove':
      return GloveEncoder.load({ path: options.path });
    case 'onnx':
      return OnnxEncoder.load({ path: options.path, batchSize: options.batchSize });
    default:
      throw new UnirecError(`unknown text encoder "${String(options.encoder)}"; known: ${TEXT_ENCODERS.join(', ')}`);
  }
}

/** A text encoder behind the on-disk vector cache (unless cache: false); dispose() closes the cache only. */
export async function loadTextEncoder(options: TextEncoderOptions): Promise<TextEncoder> {
  const model = await loadEncoderModel(options);
  // the model is shared by every caller in the process: the handle returned must not dispose it
  if (options.cache === false) return { name: model.name, dim: model.dim, cacheKey: model.cacheKey, encode: (texts) => model.encode(texts) };
  return new SharedModelCachedEncoder(model, new VectorCache(options.cache ?? defaultCachePath()));
}

/** The cached wrapper must not dispose the shared model, only its cache handle. */
class SharedModelCachedEncoder extends CachedEncoder {
  override dispose(): void {
    this.cache.close();
  }
}
