import { UnirecError } from '../errors.js';

/** `similar(id)` (or `explain`) of an item the recommender was not trained with. */
export class UnknownItemError extends UnirecError {
  readonly code = 'UNKNOWN_ITEM';
  constructor(readonly item: string, known: number) {
    super(`unknown item "${item}": the recommender knows ${known} items; train or load it with this item's events or catalogue entry`);
    this.name = 'UnknownItemError';
  }
}

/** A model name the façade's registry does not have. */
export class UnknownModelError extends UnirecError {
  readonly code = 'UNKNOWN_MODEL';
  constructor(readonly model: string, known: readonly string[]) {
    super(`unknown model "${model}"; known models: ${known.join(', ')}`);
    this.name = 'UnknownModelError';
  }
}

/** The model cannot do what was asked (e.g. `similar` with a model that has no item similarity). */
export class UnsupportedError extends UnirecError {
  readonly code = 'UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}
