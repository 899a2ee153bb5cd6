import { z } from 'zod';
import type { Rng } from '../math/rng.js';
import type { ModelArtifact } from './recommender.js';
import { registerModel } from './registry.js';
import { SequenceModel, sequenceParams, type SequenceBatch, type SequenceParams } from './sequence-model.js';

const Params = z
  .object({
    ...sequenceParams({
      maxLength: 50,
      layers: 2,
      heads: 2,
      dim: 64,
      ffMultiple: 4,
      dropout: 0.1,
      epochs: 200,
      loss: 'softmax',
      learningRate: 1e-3,
      batchSize: 128,
    }),
    /** probability that an item of a training sequence is replaced by [mask] and predicted */
    maskProb: z.number().gt(0).lt(1).default(0.2),
    /**
     * probability that a training sequence instead has only its last item masked: the exact shape of
     * scoring (history + [mask]), as BERT4Rec's authors add for next-item prediction
     */
    lastMaskProb: z.number().min(0).max(1).default(0.1),
  })
  .strict();
type Bert4RecParams = z.infer<typeof Params>;

/**
 * BERT4Rec (Sun et al. 2019): bidirectional self-attention trained as a cloze task: random items of the
 * sequence are replaced by [mask] and predicted from both sides. To recommend, [mask] is appended to the
 * user's latest items and its state scores every item. Full softmax by default: Petrov & Macdonald
 * (2022) trace most weak BERT4Rec results to sampled losses and too few epochs.
 */
export class Bert4Rec extends SequenceModel {
  readonly name = 'bert4rec';
  protected readonly causal = false;

  constructor(override readonly params: Bert4RecParams) {
    super(params as SequenceParams);
  }

  protected makeBatch(windows: Int32Array[], rng: Rng): SequenceBatch {
    const L = this.params.maxLength;
    const rows: Int32Array[] = [];
    const masked: Uint8Array[] = [];
    for (const w of windows) {
      const s = Int32Array.from(SequenceModel.tail(w, L));
      const m = new Uint8Array(s.length);
      if (rng.next() < this.params.lastMaskProb) {
        m[s.length - 1] = 1;
      } else {
        let any = false;
        for (let i = 0; i < s.length; i++) {
          if (rng.next() < this.params.maskProb) {
            m[i] = 1;
            any = true;
          }
        }
        if (!any) m[rng.int(s.length)] = 1;
      }
      rows.push(s);
      masked.push(m);
    }
    let n = 0;
    for (const m of masked) for (const v of m) n += v;
    const positions = new Int32Array(n);
    const targets = new Int32Array(n);
    const mask = this.mask;
    const inputs = rows.map((s, b) => s.map((item, i) => (masked[b]![i] ? mask : item)));
    const { tokens, length } = this.padRows(inputs);
    let at = 0;
    rows.forEach((s, b) => {
      for (let i = 0; i < s.length; i++) {
        if (!masked[b]![i]) continue;
        positions[at] = b * length + length - s.length + i;
        targets[at++] = s[i]!;
      }
    });
    return { tokens, batch: rows.length, length, positions, targets };
  }

  protected inputTokens(items: Int32Array): Int32Array {
    const recent = SequenceModel.tail(items, this.params.maxLength - 1);
    const out = new Int32Array(recent.length + 1);
    out.set(recent);
    out[recent.length] = this.mask;
    return out;
  }

  static load(a: ModelArtifact): Bert4Rec {
    return new Bert4Rec(Params.parse(a.params)).loadFrom(a);
  }
}

registerModel({
  name: 'bert4rec',
  description: 'BERT4Rec: bidirectional self-attention trained on masked items, [mask] appended to score, TensorFlow.js on WASM',
  params: Params,
  create: (p) => new Bert4Rec(p),
  load: (a) => Bert4Rec.load(a),
});
