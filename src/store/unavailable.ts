import { UnirecError } from '../errors.js';

/** The store cannot be reached (a networked store down or restarting): retry later; nothing was written. */
export class StoreUnavailableError extends UnirecError {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
