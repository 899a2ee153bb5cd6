import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { cosineNeighboursOfRow, rowNorms, scoreRows } from '../math/factors.js';
import { Rng } from '../math/rng.js';
import type { TopK } from '../math/topk.js';
import { AdamW } from '../nn/adamw.js';
import { encodeLast, type WeightArrays } from '../nn/encoder-forward.js';
import { gbceLoss, sampledSoftmaxLoss, softmaxCrossEntropy } from '../nn/losses.js';
import { nativeSoftmaxCrossEntropy } from '../nn/native-softmax.js';
import { ParamStore, type Tensor } from '../nn/params.js';
import { tensorflow, type Tf } from '../nn/tf.js';
import { trainLoop, type EpochReport } from '../nn/train-loop.js';
import { encode, initEncoder, maskId, outputItems, padId, type EncoderConfig, type EncoderWeights } from '../nn/transformer.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { sequenceOf, userSequences, type Sequences } from './sequence-data.js';
import { meanSequenceLength, sequenceRegime } from './sequence-regime.js';
import type { TrainingLog } from '../training-log.js';
import { derivedRetrieval, derivedRetrievalArrays, loadDerivedRetrieval, type ItemRetrieval } from './factor-retrieval.js';
import { retrievalParamShape, type RetrievalParams } from '../retrieval/options.js';

/** Parameters shared by the Transformer sequence models (each model sets its own defaults). */
export function sequenceParams(d: {
  maxLength: number;
  /** undefined: chosen from the data at fit by `sequenceRegime` */
  layers: number | undefined;
  heads: number;
  dim: number;
  /** undefined: chosen from the data at fit by `sequenceRegime` */
  dropout: number | undefined;
  epochs: number;
  loss: 'softmax' | 'sampled' | 'gbce';
  /** undefined: chosen from the data at fit by `sequenceRegime` */
  learningRate: number | undefined;
  batchSize: number;
  ffMultiple: number;
}) {
  const fromData = 'from the data: mean train events per user <= 12 -> 0.5 dropout, lr 3e-3; >= 50 -> 0.2, 1e-3; log-scale between';
  const layersFromData = 'from the data: 1 when users have about 24 train events or fewer (geometric middle of 12 and 50), else 2';
  return {
    /** the most recent items a user is represented by */
    maxLength: z.number().int().min(2).max(1024).default(d.maxLength),
    /** Transformer blocks */
    layers: d.layers === undefined ? z.number().int().positive().max(12).optional().describe(layersFromData) : z.number().int().positive().max(12).default(d.layers),
    /** attention heads (dim must be divisible by heads) */
    heads: z.number().int().positive().default(d.heads),
    /** embedding and hidden width */
    dim: z.number().int().positive().max(1024).default(d.dim),
    /** feed-forward hidden width as a multiple of dim */
    ffMultiple: z.number().int().positive().max(8).default(d.ffMultiple),
    /** omitted (sasrec): chosen from the mean train sequence length (sequence-regime.ts) */
    dropout: d.dropout === undefined ? z.number().min(0).max(0.9).optional().describe(fromData) : z.number().min(0).max(0.9).default(d.dropout),
    /** maximum epochs (early stopping on the valid split may end sooner) */
    epochs: z.number().int().positive().default(d.epochs),
    batchSize: z.number().int().positive().default(d.batchSize),
    /** omitted (sasrec): chosen from the mean train sequence length (sequence-regime.ts) */
    learningRate: d.learningRate === undefined ? z.number().positive().optional().describe(fromData) : z.number().positive().default(d.learningRate),
    /** AdamW decoupled weight decay on matrices and embeddings */
    weightDecay: z.number().nonnegative().default(0),
    /**
     * 'softmax': full cross-entropy over all items (SASRec+); 'sampled': softmax over the target and
     * `negatives` uniformly sampled items (for large catalogues); 'gbce': gSASRec's loss with `negatives`
     */
    loss: z.enum(['softmax', 'sampled', 'gbce']).default(d.loss),
    /** sampled / gbce: negatives sampled uniformly per batch (shared by its rows) */
    negatives: z.number().int().positive().default(256),
    /** gbce: calibration t (0 = plain BCE, 1 = softmax-like); gSASRec's recommended 0.75 */
    gbceT: z.number().min(0).max(1).default(0.75),
    /** validate (NDCG@10 on ctx.valid) every this many epochs */
    validateEvery: z.number().int().positive().default(2),
    /** stop after this many validations without improvement; the best epoch's weights are kept */
    patience: z.number().int().positive().default(5),
    /**
     * when patience runs out, go back to the best epoch and train on at the learning rate times
     * annealFactor, stopping after 2 validations without improvement; this many times (0: stop at once)
     */
    anneal: z.number().int().min(0).max(5).default(2),
    annealFactor: z.number().gt(0).lt(1).default(0.1),
    /**
     * valid users measured per validation (a seeded sample; all when fewer). Enough that the epoch kept
     * is not picked by noise: at 4,000 users one NDCG@10 near 0.03 has a standard error near 0.002, the
     * size of the epoch-to-epoch changes it chooses between; 40,000 users cost about 3 s on Beauty.
     */
    validUsers: z.number().int().positive().default(40_000),
    /** overrides ctx.seed */
    seed: z.number().int().optional(),
    ...retrievalParamShape,
  };
}

export type SequenceParams = {
  maxLength: number;
  layers?: number;
  heads: number;
  dim: number;
  ffMultiple: number;
  dropout?: number;
  epochs: number;
  batchSize: number;
  learningRate?: number;
  weightDecay: number;
  loss: 'softmax' | 'sampled' | 'gbce';
  negatives: number;
  gbceT: number;
  validateEvery: number;
  patience: number;
  anneal: number;
  annealFactor: number;
  validUsers: number;
  seed?: number;
} & RetrievalParams;

/** Windows of the users' sequences to train on: items[start[k]..end[k]) of the concatenated sequences. */
export interface TrainingWindows {
  start: Int32Array;
  end: Int32Array;
  readonly length: number;
}

/**
 * Batches of windows of similar length (sorted by length, ties broken at random), in random order:
 * a batch is padded only to its longest window, and attention costs O(L^2), so on short-sequence data
 * (Amazon: ~9 items a user) this is several times faster than random batches padded to maxLength.
 * Each batch is a list of item slices.
 */
export function lengthBucketedBatches(w: TrainingWindows, batchSize: number, rng: Rng): Int32Array[][] {
  const n = w.length;
  const key = new Float64Array(n);
  for (let k = 0; k < n; k++) key[k] = w.end[k]! - w.start[k]! + rng.next();
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => key[a]! - key[b]!);
  const batches: number[][] = [];
  for (let at = 0; at < n; at += batchSize) batches.push(order.slice(at, at + batchSize));
  rng.shuffle(batches);
  return batches.map((b) => b.map((k) => Int32Array.of(w.start[k]!, w.end[k]!)));
}

/** One training batch: tokens [B, L] and the flattened positions (b * L + i) whose next/masked item is a target. */
export interface SequenceBatch {
  tokens: Int32Array;
  batch: number;
  length: number;
  positions: Int32Array;
  targets: Int32Array;
}

/**
 * The shared engine of `sasrec` and `bert4rec`: a Transformer encoder over each user's time-ordered
 * items (src/nn), trained with AdamW on full softmax or gBCE, early-stopped on NDCG@10 of the valid
 * split; when patience runs out, training goes back to the best epoch and goes on at a tenth of the
 * learning rate (`anneal`, twice: +5.6% test NDCG@10 on Beauty, +11% on Sports, +3% on ml-100k).
 * The full-softmax output layer (logits over every item: most of a step's FLOPs on a large catalogue)
 * runs on the native core when it is built (nn/native-softmax.ts, ctx.threads threads). Subclasses
 * decide the attention direction, how a training batch is built from the sequences and which tokens
 * represent a user at scoring time.
 *
 * After fit, every user's vector (the encoder's state that predicts their next item) is computed once
 * from their train + valid sequence, so scoreUser is one dot product per item. foldIn runs the encoder
 * on the given history (pure typed-array code, encoder-forward.ts), so a new event changes the next
 * recommendation immediately, with no tfjs needed after loading.
 */
export abstract class SequenceModel implements Recommender {
  abstract readonly name: string;
  protected config!: EncoderConfig;
  protected weights: Map<string, Float32Array> = new Map();
  protected userVectors: Float32Array = new Float32Array(0);
  protected sequences: Sequences = { indptr: new Int32Array(1), items: new Int32Array(0) };
  protected nUsers = 0;
  protected nItems = 0;
  private itemNorms: Float32Array | undefined;
  /** native GEMM threads of the output layer during fit (ctx.threads) */
  private threads = 1;
  /** the learning rate of the last fit: params.learningRate or the one `sequenceRegime` chose (saved in meta) */
  private learningRate: number | undefined;
  /** per-epoch loss, validation metric and seconds of the last fit */
  trainingLog: EpochReport[] = [];
  private lastFit: TrainingLog | undefined;
  /** the item embeddings (+ output biases) as retrieval scores them: built at the end of fit (undefined while training) */
  private retrieval: ItemRetrieval | undefined;

  training(): TrainingLog | undefined {
    return this.lastFit;
  }

  constructor(readonly params: SequenceParams) {}

  protected abstract readonly causal: boolean;
  /** Builds one training batch from windows of the users' sequences (item ids in time order). */
  protected abstract makeBatch(windows: Int32Array[], rng: Rng): SequenceBatch;
  /** The tokens that represent a user whose history is `items`; their state at the last position scores the next item. */
  protected abstract inputTokens(items: Int32Array): Int32Array;

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    if (p.dim % p.heads !== 0) throw new UnirecError(`${this.name}: dim ${p.dim} must be divisible by heads ${p.heads}`);
    const tf = await tensorflow();
    const seed = p.seed ?? ctx.seed;
    const rng = new Rng(seed);
    this.retrieval = undefined;
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    this.threads = Math.max(1, ctx.threads ?? 1);
    const trainSeqs = userSequences([train.interactions], train.nUsers);
    const regime = sequenceRegime(meanSequenceLength(trainSeqs.indptr));
    const dropout = p.dropout ?? regime.dropout;
    const learningRate = p.learningRate ?? regime.learningRate;
    this.learningRate = learningRate;
    this.config = {
      nItems: train.nItems,
      maxLength: p.maxLength,
      dim: p.dim,
      heads: p.heads,
      layers: p.layers ?? regime.layers,
      hidden: p.dim * p.ffMultiple,
      dropout,
      causal: this.causal,
    };
    const windows = this.trainingWindows(trainSeqs);
    if (windows.length === 0) throw new UnirecError(`${this.name}: no user has enough events to train on`);
    const store = new ParamStore(tf);
    const w = initEncoder(store, this.config, rng);
    const optimizer = new AdamW(tf, store, { learningRate, weightDecay: p.weightDecay, beta2: 0.98 });
    let batches: Int32Array[][] = [];
    const validation = ctx.valid?.length ? this.validationSet(ctx.valid, trainSeqs, new Rng(seed ^ 0x5eed)) : undefined;
    try {
      const result = await trainLoop({
        label: this.name,
        epochs: p.epochs,
        batches: () => {
          batches = lengthBucketedBatches(windows, p.batchSize, rng);
          return batches.length;
        },
        step: (_epoch, b) => {
          const batch = this.makeBatch(batches[b]!.map((w) => trainSeqs.items.subarray(w[0]!, w[1]!)), rng);
          const negatives = p.loss !== 'softmax' ? this.sampleNegatives(rng) : undefined;
          return optimizer.step(() => this.batchLoss(tf, w, batch, negatives, rng));
        },
        validate: validation && (() => this.validate(tf, w, validation, trainSeqs)),
        validateEvery: p.validateEvery,
        patience: p.patience,
        anneal: { times: p.anneal, patience: Math.min(2, p.patience), lower: () => optimizer.scaleLearningRate(p.annealFactor) },
        snapshot: () => store.snapshot(),
        restore: (s) => store.restore(s),
        signal: ctx.signal,
        progress: ctx.progress,
      });
      this.trainingLog = result.epochs;
      this.lastFit = result.log;
      this.weights = store.snapshot();
      // users are represented by everything known before test: train, then valid events
      this.sequences = userSequences(ctx.valid ? [train.interactions, ctx.valid] : [train.interactions], train.nUsers);
      this.userVectors = this.encodeUsers(tf, w, this.sequences);
    } finally {
      optimizer.dispose();
      store.dispose();
    }
    this.itemNorms = undefined;
    this.retrieval = derivedRetrieval(p, this.itemRows(), this.nItems, p.dim, this.weights.get('out.bias'));
  }

  /**
   * Training windows over the sequences (users with >= 2 events): the latest maxLength + 1 items, then
   * the maxLength + 1 before those, and so on, so a short maxLength (cheap attention, O(L^2)) still
   * trains on every event of long histories. Returns the windows' [start, end) offsets into seqs.items.
   */
  protected trainingWindows(seqs: Sequences): TrainingWindows {
    const span = this.params.maxLength + 1;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let u = 0; u < this.nUsers; u++) {
      const lo = seqs.indptr[u]!;
      if (seqs.indptr[u + 1]! - lo < 2) continue;
      for (let end = seqs.indptr[u + 1]!; end - lo >= 2; end -= span - 1) {
        starts.push(Math.max(lo, end - span));
        ends.push(end);
      }
    }
    return { start: Int32Array.from(starts), end: Int32Array.from(ends), get length() { return starts.length; } };
  }

  private sampleNegatives(rng: Rng): Int32Array {
    const k = Math.min(this.params.negatives, this.nItems);
    const out = new Int32Array(k);
    for (let j = 0; j < k; j++) out[j] = rng.int(this.nItems);
    return out;
  }

  private batchLoss(tf: Tf, w: EncoderWeights, b: SequenceBatch, negatives: Int32Array | undefined, rng: Rng): Tensor {
    const tokens = tf.tensor2d(b.tokens, [b.batch, b.length], 'int32');
    const hidden = encode(tf, w, this.config, tokens, rng).reshape([b.batch * b.length, this.config.dim]);
    const h = tf.gather(hidden, tf.tensor1d(b.positions, 'int32'));
    const items = outputItems(w, this.config);
    if (!negatives) {
      const fast = nativeSoftmaxCrossEntropy(tf, h, items, w.outBias, b.targets, this.threads);
      if (fast) return fast;
    }
    const targets = tf.tensor1d(b.targets, 'int32');
    if (!negatives) return softmaxCrossEntropy(tf, h, items, w.outBias, targets);
    const neg = tf.tensor1d(negatives, 'int32');
    if (this.params.loss === 'sampled') return sampledSoftmaxLoss(tf, h, items, w.outBias, targets, neg);
    return gbceLoss(tf, h, items, w.outBias, targets, neg, this.nItems, this.params.gbceT);
  }

  /** Left-pads token rows to a common width (the longest row) with PAD. */
  protected padRows(rows: Int32Array[]): { tokens: Int32Array; length: number } {
    let length = 1;
    for (const r of rows) length = Math.max(length, r.length);
    const tokens = new Int32Array(rows.length * length).fill(padId(this.config));
    rows.forEach((r, b) => tokens.set(r, b * length + length - r.length));
    return { tokens, length };
  }

  /** Last-position states [users.length, d] for the given token rows, in batches (rows sorted by length to limit padding). */
  private encodeRows(tf: Tf, w: EncoderWeights, rows: Int32Array[]): Float32Array {
    const d = this.config.dim;
    const out = new Float32Array(rows.length * d);
    const order = Array.from(rows.keys()).sort((a, b) => rows[a]!.length - rows[b]!.length);
    const chunk = 256;
    for (let at = 0; at < order.length; at += chunk) {
      const ids = order.slice(at, at + chunk);
      const { tokens, length } = this.padRows(ids.map((k) => rows[k]!));
      const last = readAndDispose(
        tf.tidy(() => {
          const h = encode(tf, w, this.config, tf.tensor2d(tokens, [ids.length, length], 'int32'));
          return h.slice([0, length - 1, 0], [ids.length, 1, d]);
        }),
      );
      ids.forEach((k, j) => out.set(last.subarray(j * d, (j + 1) * d), k * d));
    }
    return out;
  }

  private encodeUsers(tf: Tf, w: EncoderWeights, seqs: Sequences): Float32Array {
    const users: number[] = [];
    for (let u = 0; u < this.nUsers; u++) if (seqs.indptr[u + 1]! > seqs.indptr[u]!) users.push(u);
    const vectors = this.encodeRows(tf, w, users.map((u) => this.inputTokens(sequenceOf(seqs, u))));
    const d = this.config.dim;
    const out = new Float32Array(this.nUsers * d); // users without history keep a zero vector: bias only
    users.forEach((u, j) => out.set(vectors.subarray(j * d, (j + 1) * d), u * d));
    return out;
  }

  /** A seeded sample of valid users with a train history, and their (first) valid item. */
  private validationSet(valid: FitContext['valid'] & object, seqs: Sequences, rng: Rng): { users: Int32Array; items: Int32Array } {
    const first = new Int32Array(this.nUsers).fill(-1);
    for (let r = 0; r < valid.length; r++) if (first[valid.user[r]!] === -1) first[valid.user[r]!] = valid.item[r]!;
    const users: number[] = [];
    for (let u = 0; u < this.nUsers; u++) if (first[u]! >= 0 && seqs.indptr[u + 1]! > seqs.indptr[u]!) users.push(u);
    const chosen = rng.shuffle(Int32Array.from(users)).slice(0, this.params.validUsers).sort();
    return { users: chosen, items: chosen.map((u) => first[u]!) };
  }

  /**
   * NDCG@10 of the valid item when ranking all items the user has not seen in train (full ranking, as
   * the evaluator does): rank = number of unseen items scoring above it.
   */
  private validate(tf: Tf, w: EncoderWeights, v: { users: Int32Array; items: Int32Array }, seqs: Sequences): number {
    const d = this.config.dim;
    const n = this.nItems;
    const vectors = this.encodeRows(tf, w, Array.from(v.users, (u) => this.inputTokens(sequenceOf(seqs, u))));
    const seen = new Uint8Array(n);
    let total = 0;
    const chunk = 512;
    for (let at = 0; at < v.users.length; at += chunk) {
      const m = Math.min(chunk, v.users.length - at);
      const scores = readAndDispose(
        tf.tidy(() => {
          const h = tf.tensor2d(vectors.subarray(at * d, (at + m) * d), [m, d]);
          return h.matMul(outputItems(w, this.config), false, true).add(w.outBias);
        }),
      );
      for (let j = 0; j < m; j++) {
        const u = v.users[at + j]!;
        const history = sequenceOf(seqs, u);
        for (const i of history) seen[i] = 1;
        const row = scores.subarray(j * n, (j + 1) * n);
        const target = row[v.items[at + j]!]!;
        let rank = 0;
        for (let i = 0; i < n && rank < 10; i++) if (row[i]! > target && !seen[i]) rank++;
        if (rank < 10 && !seen[v.items[at + j]!]) total += 1 / Math.log2(rank + 2);
        for (const i of history) seen[i] = 0;
      }
    }
    return total / Math.max(1, v.users.length);
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userVectors, user * this.config.dim, out);
  }

  /** The output item embeddings (the input table's first nItems rows; padding and mask rows follow). */
  private itemRows(): Float32Array {
    return this.weights.get('items')!.subarray(0, this.nItems * this.config.dim);
  }

  itemIndex(): ItemRetrieval {
    return this.fitted();
  }

  /** The best items for the user's state (a train user's, or the encoder's output over `query`'s items). */
  retrieve(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK {
    if (typeof query === 'number') return this.fitted().top(this.userVectors, query * this.config.dim, k, exclude, excluded);
    return this.fitted().top(this.foldInVector(query), 0, k, exclude, excluded);
  }

  private fitted(): ItemRetrieval {
    if (!this.retrieval) throw new UnirecError(`${this.name}: fit or load the model first`);
    return this.retrieval;
  }

  /** out[i] = x . e_i + b_i: on the stored item vectors once fitted (the `vectors` param), on the embedding table while training. */
  private scoreVector(x: Float32Array, xo: number, out: Float32Array): void {
    if (this.retrieval) {
      this.retrieval.scoreAll(x, xo, out.subarray(0, this.nItems));
      return;
    }
    const scores = out.subarray(0, this.nItems);
    scoreRows(this.weights.get('items')!, this.config.dim, x, xo, scores);
    const bias = this.weights.get('out.bias')!;
    for (let i = 0; i < this.nItems; i++) scores[i]! += bias[i]!;
  }

  /** Scores from the given history (its items in time order; ts re-orders them when given). */
  foldIn(history: History, out: Float32Array): void {
    this.scoreVector(this.foldInVector(history), 0, out);
  }

  /** The encoder's state after the history's items (zero without a known item). */
  private foldInVector(history: History): Float32Array {
    const items = orderedItems(history).filter((i) => i >= 0 && i < this.nItems);
    if (items.length === 0) return new Float32Array(this.config.dim);
    return encodeLast(this.weights as WeightArrays, this.config, this.inputTokens(items)).hidden;
  }

  /** Cosine similarity of the learned item embeddings. */
  similarItems(item: number, k: number): TopK {
    if (this.retrieval) return this.retrieval.similar(item, k);
    const items = this.weights.get('items')!;
    this.itemNorms ??= rowNorms(items, this.nItems, this.config.dim);
    return cosineNeighboursOfRow(items, this.nItems, this.config.dim, this.itemNorms, item, k);
  }

  /**
   * The user's recent items that the last attention layer weighted most when forming the state that
   * scores `item` (mean over heads). Attention is what the model looked at, not an exact attribution.
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    const history = sequenceOf(this.sequences, user);
    if (history.length === 0 || item < 0 || item >= this.nItems) return [];
    const tokens = this.inputTokens(history);
    const { attention } = encodeLast(this.weights as WeightArrays, this.config, tokens);
    const reasons: Reason[] = [];
    for (let j = 0; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t >= this.nItems) continue; // the [mask] slot of bert4rec
      reasons.push({ kind: 'item', id: t, weight: attention[j]!, text: 'a recent item the model attended to' });
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  save(): ModelArtifact {
    const arrays: ModelArtifact['arrays'] = { userVectors: this.userVectors, seqIndptr: this.sequences.indptr, seqItems: this.sequences.items };
    for (const [name, a] of this.weights) arrays[`w:${name}`] = a;
    Object.assign(arrays, derivedRetrievalArrays(this.fitted()));
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nUsers: this.nUsers, nItems: this.nItems, config: this.config, learningRate: this.learningRate, ...this.fitted().meta('items') },
      arrays,
    };
  }

  protected loadFrom(a: ModelArtifact): this {
    this.nUsers = a.meta.nUsers as number;
    this.nItems = a.meta.nItems as number;
    this.config = a.meta.config as EncoderConfig;
    this.learningRate = a.meta.learningRate as number | undefined;
    this.userVectors = a.arrays.userVectors as Float32Array;
    this.sequences = { indptr: a.arrays.seqIndptr as Int32Array, items: a.arrays.seqItems as Int32Array };
    this.weights = new Map();
    for (const [key, v] of Object.entries(a.arrays)) if (key.startsWith('w:')) this.weights.set(key.slice(2), v as Float32Array);
    this.retrieval = loadDerivedRetrieval(this.params, a, this.itemRows(), this.nItems, this.config.dim, this.weights.get('out.bias'));
    return this;
  }

  /** The last `n` items of a sequence. */
  protected static tail(items: Int32Array, n: number): Int32Array {
    return items.subarray(Math.max(0, items.length - n));
  }

  protected get mask(): number {
    return maskId(this.config);
  }
}

/**
 * A tensor's values, then the tensor freed. (Never return a large typed array from tf.tidy: tidy walks
 * its result element by element looking for tensors, which costs ~1 s per million entries.)
 */
function readAndDispose(t: Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/** History items in time order (stable by ts when given). */
function orderedItems(h: History): Int32Array {
  if (!h.ts || h.ts.length !== h.items.length) return h.items;
  const order = Array.from(h.items.keys()).sort((a, b) => h.ts![a]! - h.ts![b]! || a - b);
  return Int32Array.from(order, (k) => h.items[k]!);
}
