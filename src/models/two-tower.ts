import { z } from 'zod';
import type { AttributeTable } from '../data/attributes.js';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import type { Interactions } from '../data/interactions.js';
import { itemFeatures } from '../features/item.js';
import { NewItemEncoder, type RawAttributes } from '../features/new-item.js';
import { discreteUserAttributes, encodeAttribute, type DiscreteAttribute } from '../features/user.js';
import { cosineNeighboursOfRow, scoreRows } from '../math/factors.js';
import { Rng } from '../math/rng.js';
import { topK, type TopK } from '../math/topk.js';
import { ParamStore, type Tensor } from '../nn/params.js';
import { tensorflow, type Tf } from '../nn/tf.js';
import { shuffledBatches, trainLoop } from '../nn/train-loop.js';
import { itemTexts } from '../text/item-text.js';
import { itemTextVectors } from '../text/item-vectors.js';
import { TEXT_ENCODERS } from '../text/load.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { registerModel } from './registry.js';
import { derivedRetrieval, derivedRetrievalArrays, loadDerivedRetrieval, type ItemRetrieval } from './factor-retrieval.js';
import { retrievalParamShape } from '../retrieval/options.js';
import { UnirecError } from '../errors.js';
import type { TrainingLog } from '../training-log.js';

const Params = z
  .object({
    /** size of the user and item vectors */
    dim: z.number().int().positive().default(64),
    /** hidden width of each tower's MLP */
    hidden: z.number().int().positive().default(128),
    /** the user tower pools this many of the user's latest items */
    historyLength: z.number().int().positive().default(50),
    epochs: z.number().int().positive().default(10),
    batchSize: z.number().int().min(2).default(512),
    learningRate: z.number().positive().default(0.005),
    /** AdamW's decoupled weight decay */
    weightDecay: z.number().nonnegative().default(0.01),
    /** softmax temperature on the cosine of the two towers' vectors */
    temperature: z.number().positive().default(0.1),
    /**
     * Share of training examples whose item id embedding is dropped, so the item tower also learns to
     * place items from features and text alone: what a cold item (no interactions) gets at scoring time.
     */
    idDropout: z.number().min(0).max(1).default(0.5),
    /**
     * Share of training examples whose history is hidden from the user tower, so it also learns to
     * place a user from their attributes alone (a new visitor).
     */
    historyDropout: z.number().min(0).max(1).default(0.1),
    /** subtract log(popularity) from in-batch logits (Yi et al. 2019): popular items are over-sampled as negatives */
    logQ: z.boolean().default(true),
    /** most attribute features (genres, tags, year bins...) per item, the heaviest kept */
    maxFeatures: z.number().int().positive().default(48),
    /** item text vectors from a pretrained encoder ('none' = attributes only); see content's textEncoder */
    textEncoder: z.enum(['none', ...TEXT_ENCODERS]).default('use-lite'),
    textEncoderPath: z.string().optional(),
    /** use the user attribute table (age, gender, occupation...) in the user tower */
    userAttributes: z.boolean().default(true),
    /** validations (one per epoch, on the valid split when given) without improvement before stopping */
    patience: z.number().int().positive().default(3),
    ...retrievalParamShape,
  })
  .strict();
type TwoTowerParams = z.infer<typeof Params>;

/** Inputs of the item tower per item, as typed arrays (ids, padded sparse features, text vectors). */
interface ItemInputs {
  nFeatures: number;
  /** each feature's name (features/item.ts), for encoding an item put after training */
  featureNames: string[];
  /** the fitted feature rows' typical values (features/new-item.ts) */
  encoder: NewItemEncoder | undefined;
  /** nItems x maxFeatures feature ids (padding: nFeatures) */
  featIdx: Int32Array;
  featVal: Float32Array;
  textDim: number;
  /** nItems x textDim */
  text: Float32Array;
  /** 1 when the item has train interactions (an id embedding worth using) */
  warm: Uint8Array;
}

/**
 * Two-tower retrieval (Covington et al. 2016; Yi et al. 2019): a user tower and an item tower map each
 * side to a unit vector; the score is their dot product.
 * - item tower: id embedding + sum of attribute-feature embeddings (genres, tags, numeric bins, weighted
 *   as in features/item.ts) + a linear map of the item's text vector (src/text) -> MLP with a skip path.
 *   The id embedding is dropped for a share of training examples and always for items without train
 *   interactions, so cold items get vectors from features and text.
 * - user tower: mean of embeddings of the user's latest items + embeddings of their attributes -> MLP.
 * - training: every train event (u, i) is an example whose history is u's events before it; sampled
 *   softmax over the other items of the batch with logQ correction (in-batch negatives follow
 *   popularity), temperature, AdamW, seeded; early stopping on the valid split when given.
 * - user: the user's history, and attributes: the history is hidden for a share of examples
 *   (historyDropout) so a new visitor known by attributes alone gets a sensible vector.
 * Embedding tables live in typed arrays with lazy AdamW (only touched rows move); the dense layers
 * (text projection, MLPs) are TensorFlow.js variables. At the end item vectors are computed once and
 * both towers are kept as plain arrays, so scoring, fold-in, a loaded artifact and the vector of an item
 * put after training (`itemVectorOf`) need no tensors.
 */
export class TwoTower implements Recommender {
  readonly name = 'two-tower';

  training(): TrainingLog | undefined {
    return this.lastFit;
  }
  private nUsers = 0;
  private nItems = 0;
  /** nItems x dim, unit rows */
  private itemVectors: Float32Array = new Float32Array(0);
  /** nUsers x dim */
  private userVectors: Float32Array = new Float32Array(0);
  /**
   * Tower weights: user.* (history embeddings, attribute embeddings, MLP) and item.* (feature
   * embeddings, text projection, MLP; no id embeddings: an item put after training has none). Artifacts
   * saved before the item tower was kept have user.* only, and no vectors for new items.
   */
  private tower = new Map<string, Float32Array>();
  /** item attribute feature names and their typical values (features/new-item.ts); empty without item attributes */
  private itemFeatureNames: string[] = [];
  private newItems: NewItemEncoder | undefined;
  private attributes: DiscreteAttribute[] = [];
  private attrOffsets: number[] = [];
  private lastFit: TrainingLog | undefined;
  private history!: Csr;
  private meta: Record<string, unknown> = {};
  /** the item tower's vectors as retrieval scores them: built at the end of fit (undefined while training) */
  private retrieval: ItemRetrieval | undefined;

  constructor(readonly params: TwoTowerParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const tf = await tensorflow();
    this.retrieval = undefined;
    this.nUsers = train.nUsers;
    this.nItems = train.nItems;
    const seqs = userSequences(train.interactions, train.nUsers);
    this.history = recentHistory(seqs, train.nUsers, train.nItems, p.historyLength);
    const items = await this.itemInputs(train, ctx);
    this.itemFeatureNames = items.featureNames;
    this.newItems = items.encoder;
    const users = this.userInputs(train);
    const rng = new Rng(ctx.seed);
    const net = new Towers(tf, p, this.nItems, items, users.nCodes, rng);
    try {
      const examples = seqs.items.length;
      const logPop = logPopularity(train, examples);
      const A = this.attributes.length;
      const d = p.dim;
      const L = p.historyLength;
      let batches: Int32Array[] = [];
      const exampleUser = new Int32Array(examples);
      for (let u = 0; u < train.nUsers; u++) exampleUser.fill(u, seqs.indptr[u]!, seqs.indptr[u + 1]!);
      const validUsers = ctx.valid ? validationSet(ctx.valid, train, rng) : undefined;
      const result = await trainLoop({
        label: 'two-tower',
        epochs: p.epochs,
        batches: () => {
          batches = shuffledBatches(examples, p.batchSize, rng).filter((b) => b.length >= 2);
          return batches.length;
        },
        step: (_epoch, b) => {
          const batch = batches[b]!;
          const n = batch.length;
          const target = new Int32Array(n);
          const keep = new Float32Array(n);
          const start = new Int32Array(n);
          for (let r = 0; r < n; r++) {
            const e = batch[r]!;
            target[r] = seqs.items[e]!;
            keep[r] = items.warm[target[r]!] && rng.next() >= p.idDropout ? 1 : 0;
            // the history pooled for this example: the L events before it, or none (history dropout)
            start[r] = rng.next() < p.historyDropout ? e : Math.max(seqs.indptr[exampleUser[e]!]!, e - L);
          }
          const inputs = net.newInputs(n);
          net.itemInputs(target, keep, inputs);
          // user side: mean of the history rows before the event, sum of attribute rows
          for (let r = 0; r < n; r++) {
            const e = batch[r]!;
            const u = exampleUser[e]!;
            const from = start[r]!;
            for (let k = from; k < e; k++) net.userHist.addRow(seqs.items[k]!, 1 / (e - from), inputs.pooled, r * d);
            for (let a = 0; a < A; a++) {
              const c = users.codes[a]![u]!;
              if (c >= 0) net.userAttr.addRow(this.attrOffsets[a]! + c, 1, inputs.attrs, r * d);
            }
          }
          // the same item twice in a batch is not a negative of itself
          const dup = new Float32Array(n * n);
          const logQ = new Float32Array(n);
          for (let r = 0; r < n; r++) {
            logQ[r] = p.logQ ? logPop[target[r]!]! : 0;
            for (let c = 0; c < n; c++) if (c !== r && target[c] === target[r]) dup[r * n + c] = -1e9;
          }
          return net.trainStep(inputs, logQ, dup, (g) => {
            const F = p.maxFeatures;
            for (let r = 0; r < n; r++) {
              const i = target[r]!;
              if (keep[r]) net.itemId.backRow(i, 1, g.id, r * d);
              for (let k = i * F; k < (i + 1) * F; k++) if (items.featVal[k] !== 0) net.itemFeat.backRow(items.featIdx[k]!, items.featVal[k]!, g.feat, r * d);
              const e = batch[r]!;
              const u = exampleUser[e]!;
              const from = start[r]!;
              for (let k = from; k < e; k++) net.userHist.backRow(seqs.items[k]!, 1 / (e - from), g.pooled, r * d);
              for (let a = 0; a < A; a++) {
                const c = users.codes[a]![u]!;
                if (c >= 0) net.userAttr.backRow(this.attrOffsets[a]! + c, 1, g.attrs, r * d);
              }
            }
          });
        },
        validate: validUsers
          ? () => {
              this.exportWeights(net);
              return validationNdcg(this, validUsers, train);
            }
          : undefined,
        patience: p.patience,
        snapshot: () => net.snapshot(),
        restore: (s) => net.restore(s),
        signal: ctx.signal,
        progress: ctx.progress,
      });
      this.exportWeights(net);
      this.retrieval = derivedRetrieval(p, this.itemVectors, this.nItems, p.dim);
      this.lastFit = result.log;
      this.meta = {
        epochs: result.epochs.length,
        bestEpoch: result.bestEpoch + 1,
        loss: result.epochs[result.epochs.length - 1]?.loss,
        features: items.nFeatures,
        textDim: items.textDim,
        userAttributes: this.attributes.map((a) => a.column),
      };
    } finally {
      net.dispose();
    }
  }

  /** Item vectors of every item and the user tower as plain arrays, from the current weights. */
  private exportWeights(net: Towers): void {
    this.itemVectors = net.allItemVectors();
    const d = this.params.dim;
    this.tower = net.towerWeights();
    this.userVectors = new Float32Array(this.nUsers * d);
    const codes = new Int32Array(this.attributes.length);
    for (let u = 0; u < this.nUsers; u++) {
      this.attributes.forEach((a, k) => (codes[k] = a.codes[u] ?? -1));
      this.userVector(this.history.rowIndices(u), codes, this.userVectors, u * d);
    }
  }

  /** Item attribute features padded to maxFeatures per item, text vectors, and which items are warm. */
  private async itemInputs(train: TrainData, ctx: FitContext): Promise<ItemInputs> {
    const p = this.params;
    const n = train.nItems;
    const table = train.itemTable;
    const warm = new Uint8Array(n);
    for (let i = 0; i < n; i++) warm[i] = train.byItem.rowLength(i) > 0 ? 1 : 0;
    let text: Float32Array = new Float32Array(0);
    let textDim = 0;
    if (table && p.textEncoder !== 'none' && hasText(table)) {
      const v = await itemTextVectors(table, { encoder: p.textEncoder, path: p.textEncoderPath, progress: ctx.progress });
      text = v.vectors;
      textDim = v.dim;
    }
    const maxF = p.maxFeatures;
    const featIdx = new Int32Array(n * maxF);
    const featVal = new Float32Array(n * maxF);
    let nFeatures = 0;
    let featureNames: string[] = [];
    let encoder: NewItemEncoder | undefined;
    if (table && table.columns.size) {
      // text columns are the encoder's when one is used; the bag of title words otherwise
      const weights: Record<string, number> = textDim ? { title: 0, name: 0, description: 0 } : {};
      const fm = itemFeatures(table, { weights });
      const f = fm.matrix;
      nFeatures = f.nCols;
      featureNames = fm.names;
      encoder = NewItemEncoder.fromRows(fm.names, f);
      for (let i = 0; i < n; i++) {
        const cols = Array.from(f.rowIndices(i));
        const vals = Array.from(f.rowData(i));
        const order = cols.map((_, k) => k).sort((a, b) => Math.abs(vals[b]!) - Math.abs(vals[a]!)).slice(0, maxF);
        for (let k = 0; k < maxF; k++) {
          featIdx[i * maxF + k] = k < order.length ? cols[order[k]!]! : nFeatures;
          featVal[i * maxF + k] = k < order.length ? vals[order[k]!]! : 0;
        }
      }
    }
    return { nFeatures, featureNames, encoder, featIdx, featVal, textDim, text, warm };
  }

  /** The user attributes the tower reads, as codes per user, with one embedding row per (attribute, code). */
  private userInputs(train: TrainData): { codes: Int32Array[]; nCodes: number } {
    this.attributes = this.params.userAttributes && train.userTable ? discreteUserAttributes(train.userTable) : [];
    this.attrOffsets = [];
    let nCodes = 0;
    for (const a of this.attributes) {
      this.attrOffsets.push(nCodes);
      nCodes += a.labels.length;
    }
    return { codes: this.attributes.map((a) => a.codes), nCodes };
  }

  /**
   * The user tower in plain JS: mean of the history embeddings of `items` (the latest historyLength),
   * plus the embeddings of the attribute codes (-1 = unknown), through the MLP with its skip path,
   * normalised, into out[o ..]. FLOPs about 2 dim (|items| + 2 hidden + attributes).
   */
  private userVector(items: Int32Array, codes: Int32Array, out: Float32Array, o: number): void {
    const d = this.params.dim;
    const h = this.params.hidden;
    const hist = this.tower.get('user.hist')!;
    const attrEmb = this.tower.get('user.attr')!;
    const w1 = this.tower.get('user.w1')!;
    const b1 = this.tower.get('user.b1')!;
    const w2 = this.tower.get('user.w2')!;
    const b2 = this.tower.get('user.b2')!;
    const x = new Float64Array(2 * d);
    const from = Math.max(0, items.length - this.params.historyLength);
    let count = 0;
    for (let t = from; t < items.length; t++) {
      const j = items[t]!;
      if (j < 0 || j >= this.nItems) continue;
      count++;
      for (let k = 0; k < d; k++) x[k]! += hist[j * d + k]!;
    }
    if (count) for (let k = 0; k < d; k++) x[k]! /= count;
    codes.forEach((c, a) => {
      if (c < 0) return;
      const row = this.attrOffsets[a]! + c;
      for (let k = 0; k < d; k++) x[d + k]! += attrEmb[row * d + k]!;
    });
    const hidden = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      let s = b1[j]!;
      for (let k = 0; k < 2 * d; k++) s += x[k]! * w1[k * h + j]!;
      hidden[j] = s > 0 ? s : 0;
    }
    let ss = 0;
    for (let k = 0; k < d; k++) {
      let s = b2[k]! + x[k]! + x[d + k]!;
      for (let j = 0; j < h; j++) s += hidden[j]! * w2[j * d + k]!;
      out[o + k] = s;
      ss += s * s;
    }
    const f = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = 0; k < d; k++) out[o + k]! *= f;
  }

  placesNewItems(): boolean {
    return this.tower.has('item.w1') && this.itemFeatureNames.length > 0;
  }

  /**
   * An item put in the catalogue after training, from its attributes (for `itemIndex().add`): the item
   * tower on its features (encoded as a fitted item's row, features/new-item.ts, the heaviest
   * maxFeatures kept) with no id embedding, as a cold item at fit time gets. Its text vector is zero:
   * the text encoder (use-lite, glove, onnx) is not part of the model and loads in seconds, so a new
   * item is placed by its attributes alone (with textEncoder 'none', title words are attributes).
   * Undefined when no attribute names a feature the model has, or for an artifact saved without the
   * item tower's weights.
   */
  itemVectorOf(attributes: RawAttributes): { vector: Float32Array; bias: number } | undefined {
    if (!this.placesNewItems()) return undefined;
    this.newItems ??= new NewItemEncoder(this.itemFeatureNames, this.tower.get('item.typical')!);
    const row = this.newItems.encode(attributes);
    if (row.size === 0) return undefined;
    // as itemInputs pads a fitted row: the heaviest maxFeatures, ties in feature order
    const kept = [...row].sort((a, b) => a[0] - b[0]).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, this.params.maxFeatures);
    return { vector: this.coldItemVector(new Map(kept)), bias: 0 };
  }

  /**
   * The item tower in plain JS for an item without id embedding: the sum of its feature embeddings
   * (feature -> weight), plus the text projection of `text` when given (zero otherwise), through the
   * MLP with its skip path, normalised as Towers.itemTower. FLOPs about 2 dim (|features| + T + 3 hidden).
   */
  coldItemVector(features: ReadonlyMap<number, number>, text?: Float32Array): Float32Array {
    const d = this.params.dim;
    const h = this.params.hidden;
    const feat = this.tower.get('item.feat');
    const w1 = this.tower.get('item.w1');
    const b1 = this.tower.get('item.b1')!;
    const w2 = this.tower.get('item.w2')!;
    const b2 = this.tower.get('item.b2')!;
    if (!feat || !w1) throw new UnirecError('two-tower: this artifact has no item tower weights (saved by an older version); retrain to place new items');
    // x = [id (zero), feature sum, text projection]
    const x = new Float64Array(3 * d);
    for (const [f, v] of features) for (let k = 0; k < d; k++) x[d + k]! += v * feat[f * d + k]!;
    const proj = this.tower.get('item.text');
    if (text && proj) {
      const T = proj.length / d;
      if (text.length !== T) throw new RangeError(`two-tower: text vector of ${text.length} dims, the model's encoder has ${T}`);
      for (let t = 0; t < T; t++) {
        const v = text[t]!;
        if (v !== 0) for (let k = 0; k < d; k++) x[2 * d + k]! += v * proj[t * d + k]!;
      }
    }
    const hidden = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      let s = b1[j]!;
      for (let k = d; k < 3 * d; k++) s += x[k]! * w1[k * h + j]!;
      hidden[j] = s > 0 ? s : 0;
    }
    const out = new Float32Array(d);
    let ss = 0;
    const y = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      let s = b2[k]! + x[d + k]! + x[2 * d + k]!;
      for (let j = 0; j < h; j++) s += hidden[j]! * w2[j * d + k]!;
      y[k] = s;
      ss += s * s;
    }
    const inv = 1 / Math.sqrt(ss + 1e-12);
    for (let k = 0; k < d; k++) out[k] = y[k]! * inv;
    return out;
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userVectors, user * this.params.dim, out);
  }

  /** out[i] = x . y_i: on the stored item vectors once fitted (the `vectors` param), on the tower's output while training. */
  private scoreVector(x: Float32Array, xo: number, out: Float32Array): void {
    if (this.retrieval) this.retrieval.scoreAll(x, xo, out.subarray(0, this.nItems));
    else scoreRows(this.itemVectors, this.params.dim, x, xo, out.subarray(0, this.nItems));
  }

  itemIndex(): ItemRetrieval {
    return this.fitted();
  }

  retrieve(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK {
    if (typeof query === 'number') return this.fitted().top(this.userVectors, query * this.params.dim, k, exclude, excluded);
    return this.fitted().top(this.foldInVector(query), 0, k, exclude, excluded);
  }

  private fitted(): ItemRetrieval {
    if (!this.retrieval) throw new UnirecError('two-tower: fit or load the model first');
    return this.retrieval;
  }

  /** A user known by their events (time order when ts is given) and, when known, their attributes. */
  foldIn(history: History, out: Float32Array): void {
    this.scoreVector(this.foldInVector(history), 0, out);
  }

  /** The user tower's vector for a history (what `foldIn` scores with). */
  private foldInVector(history: History): Float32Array {
    let items = history.items;
    if (history.ts) {
      const ts = history.ts;
      const order = Array.from(items.keys()).sort((a, b) => ts[a]! - ts[b]! || a - b);
      items = Int32Array.from(order, (k) => history.items[k]!);
    }
    const codes = new Int32Array(this.attributes.length);
    this.attributes.forEach((a, k) => {
      codes[k] = history.attributes ? encodeAttribute(a, history.attributes[a.column]) : history.user !== undefined ? (a.codes[history.user] ?? -1) : -1;
    });
    const v = new Float32Array(this.params.dim);
    this.userVector(items, codes, v, 0);
    return v;
  }

  /** Items by cosine of their item-tower vectors (cold items included). */
  similarItems(item: number, k: number): TopK {
    if (this.retrieval) return this.retrieval.similar(item, k);
    return cosineNeighboursOfRow(this.itemVectors, this.nItems, this.params.dim, new Float32Array(this.nItems).fill(1), item, k);
  }

  /** The user's recent items closest to the recommended item in the item tower's space. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const d = this.params.dim;
    const recent = this.history.rowIndices(user);
    const sims = new Float32Array(recent.length);
    recent.forEach((j, t) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += this.itemVectors[j * d + k]! * this.itemVectors[item * d + k]!;
      sims[t] = s;
    });
    const top = topK(sims, limit);
    return Array.from(top.indices, (t, r) => ({ kind: 'item' as const, id: recent[t]!, weight: top.scores[r]!, text: 'close to an item you interacted with recently' })).filter((r) => r.weight > 0);
  }

  /** The item tower's vector of every item (nItems x dim, unit rows): export them for an ANN index. */
  itemEmbeddings(): { vectors: Float32Array; dim: number } {
    return { vectors: this.itemVectors, dim: this.params.dim };
  }

  save(): ModelArtifact {
    const arrays: ModelArtifact['arrays'] = {
      itemVectors: this.itemVectors,
      userVectors: this.userVectors,
      ...csrArrays('hist', this.history),
      ...derivedRetrievalArrays(this.fitted()),
    };
    for (const [name, v] of this.tower) arrays[`tower:${name}`] = v;
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: {
        ...this.meta,
        nUsers: this.nUsers,
        nItems: this.nItems,
        ...this.fitted().meta('items'),
        attrOffsets: this.attrOffsets,
        itemFeatureNames: this.itemFeatureNames,
        attributes: this.attributes.map((a) => ({ ...a, codes: undefined })),
      },
      arrays: { ...arrays, ...Object.fromEntries(this.attributes.map((a, k) => [`attrCodes${k}`, a.codes])) },
    };
  }

  static load(a: ModelArtifact): TwoTower {
    const m = new TwoTower(Params.parse(a.params));
    m.nUsers = a.meta.nUsers as number;
    m.nItems = a.meta.nItems as number;
    m.attrOffsets = a.meta.attrOffsets as number[];
    m.attributes = (a.meta.attributes as Omit<DiscreteAttribute, 'codes'>[]).map((attr, k) => ({ ...attr, codes: a.arrays[`attrCodes${k}`] as Int32Array }));
    m.itemVectors = a.arrays.itemVectors as Float32Array;
    m.userVectors = a.arrays.userVectors as Float32Array;
    m.history = csrFromArrays(a, 'hist', m.nUsers, m.nItems);
    for (const [name, v] of Object.entries(a.arrays)) if (name.startsWith('tower:')) m.tower.set(name.slice(6), v as Float32Array);
    m.itemFeatureNames = (a.meta.itemFeatureNames as string[] | undefined) ?? [];
    m.retrieval = loadDerivedRetrieval(m.params, a, m.itemVectors, m.nItems, m.params.dim);
    const { attrOffsets: _o, attributes: _a, nUsers: _u, nItems: _i, itemsHnsw: _h, itemFeatureNames: _n, ...rest } = a.meta;
    m.meta = rest;
    return m;
  }
}

/**
 * An embedding table in plain typed arrays with lazy AdamW: only the rows a batch touched are updated
 * (as PyTorch's SparseAdam), with decoupled weight decay on those rows. Gathering and scattering rows
 * in JS costs ~2 ms for a batch's 25k history rows, where tfjs-wasm's gather and its gradient took
 * ~150 ms each (measured here), so the towers' embedding lookups live outside TensorFlow.js.
 */
class SparseEmbedding {
  readonly data: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  /** accumulated gradient of the current step, and the rows it touched */
  readonly grad: Float32Array;
  private readonly touched: Uint8Array;
  private readonly touchedRows: number[] = [];

  constructor(
    readonly rows: number,
    readonly dim: number,
    rng: Rng,
    std: number,
  ) {
    this.data = new Float32Array(rows * dim);
    for (let k = 0; k < this.data.length; k++) this.data[k] = rng.normal() * std;
    this.m = new Float32Array(rows * dim);
    this.v = new Float32Array(rows * dim);
    this.grad = new Float32Array(rows * dim);
    this.touched = new Uint8Array(rows);
  }

  /** out[o ..] += w * row r */
  addRow(r: number, w: number, out: Float32Array, o: number): void {
    const d = this.dim;
    for (let k = 0; k < d; k++) out[o + k]! += w * this.data[r * d + k]!;
  }

  /** gradient of row r += w * g[go ..] */
  backRow(r: number, w: number, g: Float32Array, go: number): void {
    const d = this.dim;
    if (!this.touched[r]) {
      this.touched[r] = 1;
      this.touchedRows.push(r);
    }
    for (let k = 0; k < d; k++) this.grad[r * d + k]! += w * g[go + k]!;
  }

  /** One AdamW step (step t >= 1) on the touched rows; clears the gradient. */
  step(t: number, lr: number, weightDecay: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): void {
    const d = this.dim;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (const r of this.touchedRows) {
      for (let k = r * d; k < (r + 1) * d; k++) {
        const g = this.grad[k]!;
        const m = (this.m[k] = b1 * this.m[k]! + (1 - b1) * g);
        const v = (this.v[k] = b2 * this.v[k]! + (1 - b2) * g * g);
        this.data[k]! -= lr * (m / c1 / (Math.sqrt(v / c2) + eps) + weightDecay * this.data[k]!);
        this.grad[k] = 0;
      }
      this.touched[r] = 0;
    }
    this.touchedRows.length = 0;
  }
}

/** Per-batch inputs of the two towers, assembled in JS from the embedding tables. */
interface BatchInputs {
  n: number;
  /** id embedding x keep [n, d] */
  id: Float32Array;
  /** sum of feature embeddings [n, d] */
  feat: Float32Array;
  /** text vectors [n, T] */
  text: Float32Array;
  /** mean of history embeddings [n, d] */
  pooled: Float32Array;
  /** sum of attribute embeddings [n, d] */
  attrs: Float32Array;
}

/**
 * The two towers: embedding tables in JS (SparseEmbedding), the dense layers (text projection, MLPs)
 * as TensorFlow.js variables trained with Adam plus decoupled weight decay.
 */
class Towers {
  readonly store: ParamStore;
  readonly itemId: SparseEmbedding;
  readonly itemFeat: SparseEmbedding;
  readonly userHist: SparseEmbedding;
  readonly userAttr: SparseEmbedding;
  private readonly adam: ReturnType<Tf['train']['adam']>;
  private t = 0;

  constructor(
    private readonly tf: Tf,
    private readonly p: TwoTowerParams,
    private readonly nItems: number,
    readonly items: ItemInputs,
    nCodes: number,
    rng: Rng,
  ) {
    const d = p.dim;
    const h = p.hidden;
    this.itemId = new SparseEmbedding(nItems, d, rng, 0.05);
    this.itemFeat = new SparseEmbedding(items.nFeatures + 1, d, rng, 0.05);
    this.userHist = new SparseEmbedding(nItems, d, rng, 0.05);
    this.userAttr = new SparseEmbedding(nCodes + 1, d, rng, 0.05);
    const s = (this.store = new ParamStore(tf));
    if (items.textDim) s.glorot('item.text', items.textDim, d, rng);
    s.glorot('item.w1', 3 * d, h, rng);
    s.constant('item.b1', [h], 0);
    s.glorot('item.w2', h, d, rng);
    s.constant('item.b2', [d], 0);
    s.glorot('user.w1', 2 * d, h, rng);
    s.constant('user.b1', [h], 0);
    s.glorot('user.w2', h, d, rng);
    s.constant('user.b2', [d], 0);
    this.adam = tf.train.adam(p.learningRate);
  }

  /** Item-side inputs of `items` (keep[r] = 0 drops the id embedding). */
  itemInputs(items: Int32Array, keep: Float32Array, into: BatchInputs): void {
    const d = this.p.dim;
    const F = this.p.maxFeatures;
    const T = this.items.textDim;
    const { featIdx, featVal, text } = this.items;
    items.forEach((i, r) => {
      if (keep[r]) this.itemId.addRow(i, 1, into.id, r * d);
      for (let k = i * F; k < (i + 1) * F; k++) if (featVal[k] !== 0) this.itemFeat.addRow(featIdx[k]!, featVal[k]!, into.feat, r * d);
      if (T) into.text.set(text.subarray(i * T, (i + 1) * T), r * T);
    });
  }

  newInputs(n: number): BatchInputs {
    const d = this.p.dim;
    return {
      n,
      id: new Float32Array(n * d),
      feat: new Float32Array(n * d),
      text: new Float32Array(n * this.items.textDim),
      pooled: new Float32Array(n * d),
      attrs: new Float32Array(n * d),
    };
  }

  /** Unit item vectors [n, d] from the inputs (tensors). */
  itemTower(id: Tensor, feat: Tensor, text: Tensor | undefined, w: Record<string, Tensor>): Tensor {
    const tf = this.tf;
    const proj = text ? tf.matMul(text, w['item.text']!) : tf.zerosLike(id);
    const x = tf.concat([id, feat, proj], 1);
    const hidden = tf.relu(tf.matMul(x, w['item.w1']!).add(w['item.b1']!));
    return normalize(tf, tf.matMul(hidden, w['item.w2']!).add(w['item.b2']!).add(id).add(feat).add(proj));
  }

  /** Unit user vectors [n, d] from pooled history and summed attribute embeddings. */
  userTower(pooled: Tensor, attrs: Tensor, w: Record<string, Tensor>): Tensor {
    const tf = this.tf;
    const x = tf.concat([pooled, attrs], 1);
    const hidden = tf.relu(tf.matMul(x, w['user.w1']!).add(w['user.b1']!));
    return normalize(tf, tf.matMul(hidden, w['user.w2']!).add(w['user.b2']!).add(pooled).add(attrs));
  }

  /**
   * One training step on the in-batch softmax loss: the dense layers' gradients go to Adam, the
   * gradients of the four embedding inputs are scattered back to their tables' rows by `scatter`.
   */
  trainStep(inputs: BatchInputs, logQ: Float32Array, dup: Float32Array, scatter: (g: { id: Float32Array; feat: Float32Array; pooled: Float32Array; attrs: Float32Array }) => void): number {
    const tf = this.tf;
    const { n } = inputs;
    const d = this.p.dim;
    const names = this.store.names();
    const vars = this.store.list;
    const T = this.items.textDim;
    const result = tf.tidy(() => {
      const id = tf.tensor2d(inputs.id, [n, d]);
      const feat = tf.tensor2d(inputs.feat, [n, d]);
      const pooled = tf.tensor2d(inputs.pooled, [n, d]);
      const attrs = tf.tensor2d(inputs.attrs, [n, d]);
      const text = T ? tf.tensor2d(inputs.text, [n, T]) : undefined;
      const lq = tf.tensor2d(logQ, [1, n]);
      const mask = tf.tensor2d(dup, [n, n]);
      const labels = tf.eye(n);
      const f = (...xs: Tensor[]): Tensor => {
        const w: Record<string, Tensor> = {};
        names.forEach((name, k) => (w[name] = xs[k]!));
        const [xid, xfeat, xpooled, xattrs] = xs.slice(names.length);
        const u = this.userTower(xpooled!, xattrs!, w);
        const i = this.itemTower(xid!, xfeat!, text, w);
        const logits = tf.matMul(u, i, false, true).div(this.p.temperature).sub(lq).add(mask);
        return tf.losses.softmaxCrossEntropy(labels, logits) as Tensor;
      };
      const { value, grads } = tf.valueAndGrads(f)([...vars, id, feat, pooled, attrs]);
      return { value, grads };
    });
    const k = vars.length;
    const g = {
      id: result.grads[k]!.dataSync() as Float32Array,
      feat: result.grads[k + 1]!.dataSync() as Float32Array,
      pooled: result.grads[k + 2]!.dataSync() as Float32Array,
      attrs: result.grads[k + 3]!.dataSync() as Float32Array,
    };
    const loss = result.value.dataSync()[0]!;
    this.t++;
    const lr = this.p.learningRate;
    const wd = this.p.weightDecay;
    tf.tidy(() => {
      for (const v of vars) if (wd > 0 && this.store.isDecayed(v)) v.assign(v.mul(1 - lr * wd));
    });
    this.adam.applyGradients(vars.map((v, j) => ({ name: v.name, tensor: result.grads[j]! })));
    tf.dispose([result.value, ...result.grads]);
    scatter(g);
    for (const e of [this.itemId, this.itemFeat, this.userHist, this.userAttr]) e.step(this.t, lr, wd);
    return loss;
  }

  /** Item-tower vectors of the whole catalogue (warm items with their id embedding, cold ones without). */
  allItemVectors(): Float32Array {
    const tf = this.tf;
    const d = this.p.dim;
    const T = this.items.textDim;
    const out = new Float32Array(this.nItems * d);
    const w = Object.fromEntries(this.store.names().map((name, k) => [name, this.store.list[k]!])) as Record<string, Tensor>;
    const chunk = 2048;
    for (let at = 0; at < this.nItems; at += chunk) {
      const n = Math.min(chunk, this.nItems - at);
      const ids = Int32Array.from({ length: n }, (_, k) => at + k);
      const inputs = this.newInputs(n);
      this.itemInputs(ids, Float32Array.from(ids, (i) => this.items.warm[i]!), inputs);
      const v = tf.tidy(() => this.itemTower(tf.tensor2d(inputs.id, [n, d]), tf.tensor2d(inputs.feat, [n, d]), T ? tf.tensor2d(inputs.text, [n, T]) : undefined, w));
      out.set(v.dataSync() as Float32Array, at * d);
      v.dispose();
    }
    return out;
  }

  /**
   * Both towers' weights as plain arrays (for scoring, new items and the artifact): every dense layer,
   * the user tables, the item feature table and its typical feature values; not the item id table
   * (item vectors of the trained items are computed once, a new item has no id).
   */
  towerWeights(): Map<string, Float32Array> {
    const out = this.store.snapshot();
    out.set('user.hist', this.userHist.data.slice());
    out.set('user.attr', this.userAttr.data.slice());
    out.set('item.feat', this.itemFeat.data.slice());
    if (this.items.encoder) out.set('item.typical', this.items.encoder.typical);
    return out;
  }

  /** Every weight (dense and tables), to keep the best epoch. */
  snapshot(): { dense: Map<string, Float32Array>; tables: Float32Array[] } {
    return { dense: this.store.snapshot(), tables: [this.itemId, this.itemFeat, this.userHist, this.userAttr].map((e) => e.data.slice()) };
  }

  restore(s: { dense: Map<string, Float32Array>; tables: Float32Array[] }): void {
    this.store.restore(s.dense);
    [this.itemId, this.itemFeat, this.userHist, this.userAttr].forEach((e, k) => e.data.set(s.tables[k]!));
  }

  dispose(): void {
    this.adam.dispose();
    this.store.dispose();
  }
}

function normalize(tf: Tf, x: Tensor): Tensor {
  return x.div(x.square().sum(1, true).add(1e-12).sqrt());
}

/** True when some item has words to encode (Amazon attribute ids, for one, have none). */
function hasText(table: AttributeTable): boolean {
  return itemTexts(table).some((t) => t !== undefined);
}

/** Each user's train items in time order (file order on ties): CSR-like indptr + items. */
function userSequences(x: Interactions, nUsers: number): { indptr: Int32Array; items: Int32Array } {
  const n = x.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let r = 0; r < n; r++) indptr[x.user[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const fill = indptr.slice(0, nUsers);
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[fill[x.user[r]!]!++] = r;
  for (let u = 0; u < nUsers; u++) {
    const own = rows.subarray(indptr[u]!, indptr[u + 1]!);
    own.sort((a, b) => x.ts[a]! - x.ts[b]! || a - b);
  }
  return { indptr, items: Int32Array.from(rows, (r) => x.item[r]!) };
}

/** The latest `length` items of each user, oldest first (what the user tower pools at scoring time). */
function recentHistory(seqs: { indptr: Int32Array; items: Int32Array }, nUsers: number, nItems: number, length: number): Csr {
  const indptr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) indptr[u + 1] = indptr[u]! + Math.min(length, seqs.indptr[u + 1]! - seqs.indptr[u]!);
  const indices = new Int32Array(indptr[nUsers]!);
  for (let u = 0; u < nUsers; u++) {
    const len = indptr[u + 1]! - indptr[u]!;
    indices.set(seqs.items.subarray(seqs.indptr[u + 1]! - len, seqs.indptr[u + 1]!), indptr[u]!);
  }
  return new Csr(nUsers, nItems, indptr, indices, new Float32Array(indices.length).fill(1));
}

/** log of each item's share of the train events (the in-batch sampling probability), floored for unseen items. */
function logPopularity(train: TrainData, events: number): Float32Array {
  return Float32Array.from({ length: train.nItems }, (_, i) => Math.log(Math.max(train.byItem.rowLength(i), 0.5) / events));
}

/** Up to 1000 users with valid events, and their valid items. */
function validationSet(valid: Interactions, train: TrainData, rng: Rng): { users: Int32Array; items: Int32Array[] } {
  const byUser = new Map<number, number[]>();
  for (let r = 0; r < valid.length; r++) {
    const list = byUser.get(valid.user[r]!) ?? [];
    list.push(valid.item[r]!);
    byUser.set(valid.user[r]!, list);
  }
  const users = Int32Array.from([...byUser.keys()].filter((u) => u < train.nUsers));
  rng.shuffle(users);
  const kept = users.subarray(0, 1000).slice().sort();
  return { users: kept, items: Array.from(kept, (u) => Int32Array.from(byUser.get(u)!)) };
}

/** NDCG@10 of the valid items, train items excluded (the early-stopping signal). */
function validationNdcg(model: TwoTower, v: { users: Int32Array; items: Int32Array[] }, train: TrainData): number {
  const scores = new Float32Array(train.nItems);
  const seen = new Uint8Array(train.nItems);
  let sum = 0;
  v.users.forEach((u, k) => {
    model.scoreUser(u, scores);
    const own = train.byUser.rowIndices(u);
    for (const i of own) seen[i] = 1;
    const top = topK(scores, 10, seen);
    for (const i of own) seen[i] = 0;
    const relevant = new Set(v.items[k]);
    let dcg = 0;
    let ideal = 0;
    top.indices.forEach((i, r) => (dcg += relevant.has(i) ? 1 / Math.log2(r + 2) : 0));
    for (let r = 0; r < Math.min(10, relevant.size); r++) ideal += 1 / Math.log2(r + 2);
    sum += ideal ? dcg / ideal : 0;
  });
  return v.users.length ? sum / v.users.length : 0;
}

registerModel({
  name: 'two-tower',
  description: 'two-tower retrieval: user tower (recent items, demographics) x item tower (id, attributes, pretrained text vector), in-batch sampled softmax',
  params: Params,
  create: (p) => new TwoTower(p),
  load: (a) => TwoTower.load(a),
});
