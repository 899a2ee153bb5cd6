import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UnirecError } from '../errors.js';
import { normalizeVectors, type TextEncoder } from './encoder.js';
import { WordPieceTokenizer } from './wordpiece.js';

/**
 * A user's own sentence-transformer (all-MiniLM-L6-v2, bge-small, e5-small... exported to ONNX) run with
 * onnxruntime-node: WordPiece tokens in, the token embeddings mean-pooled over the attention mask (the
 * sentence-transformers recipe), L2-normalised. onnxruntime-node is an optional peer dependency (its
 * install script downloads binaries unless ONNXRUNTIME_NODE_INSTALL=skip), so it is imported only here,
 * on demand, with a clear message when it is missing.
 *
 * Folder: model.onnx (or onnx/model.onnx) and tokenizer.json or vocab.txt.
 */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

export interface OnnxOptions {
  /** folder with model.onnx and tokenizer.json / vocab.txt (default $UNIREC_ONNX_PATH) */
  path?: string;
  /** texts per session run (default 32) */
  batchSize?: number;
  /** most tokens per text (default: the tokenizer's truncation, else 256) */
  maxLength?: number;
  /** name of the output holding token embeddings (default: last_hidden_state, token_embeddings, or the first output) */
  output?: string;
}

/** The slice of the onnxruntime-node API used here. */
interface OrtTensor {
  data: Float32Array | BigInt64Array | Int32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: BigInt64Array | Float32Array, dims: readonly number[]) => OrtTensor;
}

/** onnxruntime-node, or the error telling the user how to install it. */
export async function loadOnnxRuntime(specifier: string = ONNX_RUNTIME_PACKAGE): Promise<OrtModule> {
  try {
    const mod = (await import(specifier)) as OrtModule & { default?: OrtModule };
    return mod.InferenceSession ? mod : mod.default!;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UnirecError(
        `text encoder "onnx" needs the optional package ${specifier}, which is not installed. Install it with ` +
          `\`ONNXRUNTIME_NODE_INSTALL=skip npm i ${specifier}\` (the CPU runtime ships in the package; the variable skips the GPU download), ` +
          `or use the "use-lite" or "glove" text encoder.`,
      );
    }
    throw new UnirecError(`text encoder "onnx": ${specifier} failed to load: ${(e as Error).message}`);
  }
}

export class OnnxEncoder implements TextEncoder {
  readonly name = 'onnx';

  private constructor(
    readonly dim: number,
    readonly cacheKey: string,
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly tokenizer: WordPieceTokenizer,
    private readonly output: string,
    private readonly batchSize: number,
  ) {}

  static async load(options: OnnxOptions = {}, runtime: string = ONNX_RUNTIME_PACKAGE): Promise<OnnxEncoder> {
    const folder = options.path ?? process.env.UNIREC_ONNX_PATH;
    if (!folder) throw new UnirecError('text encoder "onnx": no model folder; give a path option or set UNIREC_ONNX_PATH (a folder with model.onnx and tokenizer.json or vocab.txt)');
    const ort = await loadOnnxRuntime(runtime);
    let modelPath = join(folder, 'model.onnx');
    let size = await stat(modelPath).then((s) => s.size, () => -1);
    if (size < 0) {
      modelPath = join(folder, 'onnx', 'model.onnx');
      size = await stat(modelPath).then((s) => s.size, () => -1);
    }
    if (size < 0) throw new UnirecError(`text encoder "onnx": no model.onnx in ${folder} (or ${join(folder, 'onnx')})`);
    const tokenizer = await WordPieceTokenizer.fromFolder(folder, options.maxLength ? { maxLength: options.maxLength } : {});
    const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all' });
    const output = options.output ?? ['last_hidden_state', 'token_embeddings'].find((n) => session.outputNames.includes(n)) ?? session.outputNames[0]!;
    if (!session.outputNames.includes(output)) throw new UnirecError(`text encoder "onnx": ${modelPath} has no output "${output}" (outputs: ${session.outputNames.join(', ')})`);
    const head = await readFile(modelPath).then((b) => createHash('sha256').update(b).digest('hex').slice(0, 16));
    const probe = new OnnxEncoder(0, '', ort, session, tokenizer, output, options.batchSize ?? 32);
    const dim = (await probe.runBatch(['dimension probe'])).dim;
    return new OnnxEncoder(dim, `onnx:${head}:${output}:${tokenizer.maxLength}`, ort, session, tokenizer, output, options.batchSize ?? 32);
  }

  async encode(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    for (let b = 0; b < texts.length; b += this.batchSize) {
      const { vectors } = await this.runBatch(texts.slice(b, b + this.batchSize));
      out.set(vectors, b * this.dim);
    }
    return normalizeVectors(out, this.dim);
  }

  /** One session run: padded ids and mask in, mean of the unmasked token embeddings out. */
  private async runBatch(texts: readonly string[]): Promise<{ vectors: Float32Array; dim: number }> {
    const ids = texts.map((t) => this.tokenizer.encode(t));
    const len = Math.max(...ids.map((t) => t.length));
    const n = texts.length;
    const inputIds = new BigInt64Array(n * len).fill(BigInt(this.tokenizer.padId));
    const mask = new BigInt64Array(n * len);
    ids.forEach((t, r) =>
      t.forEach((id, p) => {
        inputIds[r * len + p] = BigInt(id);
        mask[r * len + p] = 1n;
      }),
    );
    const feeds: Record<string, OrtTensor> = {};
    const dims = [n, len];
    for (const name of this.session.inputNames) {
      if (name === 'input_ids') feeds[name] = new this.ort.Tensor('int64', inputIds, dims);
      else if (name === 'attention_mask') feeds[name] = new this.ort.Tensor('int64', mask, dims);
      else if (name === 'token_type_ids') feeds[name] = new this.ort.Tensor('int64', new BigInt64Array(n * len), dims);
      else throw new UnirecError(`text encoder "onnx": unknown model input "${name}" (expected input_ids, attention_mask, token_type_ids)`);
    }
    const result = (await this.session.run(feeds))[this.output]!;
    const data = result.data as Float32Array;
    if (result.dims.length === 2) return { vectors: Float32Array.from(data), dim: result.dims[1]! };
    const dim = result.dims[2]!;
    const vectors = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) {
      const count = ids[r]!.length;
      for (let p = 0; p < count; p++) {
        const o = (r * len + p) * dim;
        for (let k = 0; k < dim; k++) vectors[r * dim + k]! += data[o + k]! / count;
      }
    }
    return { vectors, dim };
  }

  dispose(): void {
    void this.session.release?.();
  }
}
