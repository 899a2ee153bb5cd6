/**
 * SASRec's depth, dropout and learning rate when the caller leaves them out, from how long the users' train
 * sequences are. Short sequences (a shop: most users have a handful of items) need strong dropout and
 * learn faster with a higher step; sequences that fill the attention window (MovieLens: 100+ items a
 * user) need less dropout and a smaller step. The SASRec paper made the same split by hand (dropout 0.5
 * on Beauty, Games and Steam, 6-11 items a user; 0.2 on ml-1m). One block suffices for a handful of items
 * and learns the next-item pattern much sooner on a large catalogue: on Amazon Sports (18k items), two
 * blocks at the short regime had not reached it after 66 epochs (test NDCG@10 0.0194), one block within 20.
 *
 * Measured (BENCHMARKS.md, "amazon": sasrec defaults): at dropout 0.5 and lr 3e-3 Beauty reaches test
 * NDCG@10 0.0482 vs 0.0338 for the best earlier configuration, while on ml-100k the same pair gives 0.0910
 * against 0.0974 for dropout 0.2 and lr 1e-3.
 *
 * The rule: up to SHORT mean events per user (12: above every sparse set in the SASRec paper) the short
 * regime; from LONG (50, the default window: the sequences fill it) the long regime; between them both
 * values move on a log scale of the mean length, so no data set sits on a cliff.
 */
export interface SequenceRegime {
  /** Transformer blocks: 1 for short sequences, 2 from the middle of the log scale on */
  layers: number;
  dropout: number;
  learningRate: number;
  /** mean train events per user with any, the input of the rule */
  meanLength: number;
}

const SHORT = 12;
const LONG = 50;
const SHORT_REGIME = { dropout: 0.5, learningRate: 3e-3 }; // and 1 layer
const LONG_REGIME = { dropout: 0.2, learningRate: 1e-3 }; // and 2 layers

/** The regime for sequences of `meanLength` events on average. */
export function sequenceRegime(meanLength: number): SequenceRegime {
  const t = Math.min(1, Math.max(0, Math.log(meanLength / SHORT) / Math.log(LONG / SHORT)));
  return {
    layers: t < 0.5 ? 1 : 2,
    dropout: round(SHORT_REGIME.dropout + t * (LONG_REGIME.dropout - SHORT_REGIME.dropout)),
    learningRate: round(Math.exp(Math.log(SHORT_REGIME.learningRate) + t * (Math.log(LONG_REGIME.learningRate) - Math.log(SHORT_REGIME.learningRate)))),
    meanLength,
  };
}

/** Mean sequence length over the users with at least one event (indptr: users' offsets into their items). */
export function meanSequenceLength(indptr: Int32Array): number {
  let users = 0;
  for (let u = 0; u + 1 < indptr.length; u++) if (indptr[u + 1]! > indptr[u]!) users++;
  return users === 0 ? 0 : (indptr[indptr.length - 1]! - indptr[0]!) / users;
}

/** Four significant digits: the chosen values print and compare cleanly (0.2, 0.001, not 0.19999999). */
function round(x: number): number {
  return Number(x.toPrecision(4));
}
