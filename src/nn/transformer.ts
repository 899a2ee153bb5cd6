import type { Rng } from '../math/rng.js';
import { attentionBias, initAttention, multiHeadAttention, type AttentionWeights } from './attention.js';
import { dropout } from './dropout.js';
import { feedForward, initFeedForward, type FeedForwardWeights } from './feed-forward.js';
import { layerNorm } from './layer-norm.js';
import type { ParamStore, Tensor } from './params.js';
import type { Tf } from './tf.js';

/**
 * Shape of a Transformer encoder over item sequences. Token ids: items 0..nItems-1, then PAD = nItems
 * (left padding) and MASK = nItems + 1 (BERT4Rec's [mask]); so the embedding table has nItems + 2 rows
 * and the first nItems rows double as the output layer (tied weights, as SASRec and BERT4Rec do).
 */
export interface EncoderConfig {
  nItems: number;
  maxLength: number;
  dim: number;
  heads: number;
  layers: number;
  /** feed-forward hidden width (SASRec: d, BERT4Rec: 4d) */
  hidden: number;
  dropout: number;
  /** causal (SASRec) or bidirectional (BERT4Rec) attention */
  causal: boolean;
}

export interface BlockWeights {
  ln1g: Tensor;
  ln1b: Tensor;
  attention: AttentionWeights;
  ln2g: Tensor;
  ln2b: Tensor;
  ff: FeedForwardWeights;
}

export interface EncoderWeights {
  /** [nItems + 2, d] item, PAD and MASK embeddings */
  items: Tensor;
  /** [maxLength, d] learned positional embeddings */
  positions: Tensor;
  blocks: BlockWeights[];
  lnFg: Tensor;
  lnFb: Tensor;
  /** [nItems] output bias (item popularity prior) */
  outBias: Tensor;
}

export const padId = (c: EncoderConfig): number => c.nItems;
export const maskId = (c: EncoderConfig): number => c.nItems + 1;

export function initEncoder(store: ParamStore, c: EncoderConfig, rng: Rng): EncoderWeights {
  const items = store.normal('items', [c.nItems + 2, c.dim], 1 / Math.sqrt(c.dim), rng);
  const positions = store.normal('positions', [c.maxLength, c.dim], 1 / Math.sqrt(c.dim), rng);
  const blocks: BlockWeights[] = [];
  for (let b = 0; b < c.layers; b++) {
    blocks.push({
      ln1g: store.constant(`block${b}.ln1.gain`, [c.dim], 1),
      ln1b: store.constant(`block${b}.ln1.bias`, [c.dim], 0),
      attention: initAttention(store, `block${b}.attention`, c.dim, rng),
      ln2g: store.constant(`block${b}.ln2.gain`, [c.dim], 1),
      ln2b: store.constant(`block${b}.ln2.bias`, [c.dim], 0),
      ff: initFeedForward(store, `block${b}.ff`, c.dim, c.hidden, rng),
    });
  }
  return {
    items,
    positions,
    blocks,
    lnFg: store.constant('final.ln.gain', [c.dim], 1),
    lnFb: store.constant('final.ln.bias', [c.dim], 0),
    outBias: store.constant('out.bias', [c.nItems], 0),
  };
}

/**
 * Encodes token sequences [B, L] (int32, left-padded with PAD) into hidden states [B, L, d]:
 * item + position embeddings, then `layers` pre-LN blocks x += Attn(LN(x)); x += FFN(LN(x)),
 * then a final layer norm. Padding positions are zeroed after every block so they carry nothing.
 * `rng` given = training (dropout on); undefined = inference.
 * FLOPs per sequence and layer: 8 L d^2 + 4 L^2 d + 4 L d hidden (x3 with the backward pass).
 */
export function encode(tf: Tf, w: EncoderWeights, c: EncoderConfig, tokens: Tensor, rng?: Rng): Tensor {
  const [batch, length] = tokens.shape as [number, number];
  if (length > c.maxLength) throw new RangeError(`sequence length ${length} exceeds maxLength ${c.maxLength}`);
  const keep = tokens.notEqual(padId(c)).cast('float32');
  const keep3 = keep.reshape([batch, length, 1]);
  const bias = attentionBias(tf, keep, c.causal);
  const pos = w.positions.slice([c.maxLength - length, 0], [length, c.dim]);
  let x = tf.gather(w.items, tokens.reshape([-1])).reshape([batch, length, c.dim]).add(pos);
  x = dropout(tf, x, c.dropout, rng).mul(keep3);
  for (const b of w.blocks) {
    const a = multiHeadAttention(tf, layerNorm(x, b.ln1g, b.ln1b), b.attention, c.heads, bias, c.dropout, rng).out;
    x = x.add(dropout(tf, a, c.dropout, rng));
    const f = feedForward(tf, layerNorm(x, b.ln2g, b.ln2b), b.ff, c.dropout, rng);
    x = x.add(dropout(tf, f, c.dropout, rng)).mul(keep3);
  }
  return layerNorm(x, w.lnFg, w.lnFb);
}

/** The output layer's item embeddings [nItems, d] (the first nItems rows of the tied table). */
export function outputItems(w: EncoderWeights, c: EncoderConfig): Tensor {
  return w.items.slice([0, 0], [c.nItems, c.dim]);
}
