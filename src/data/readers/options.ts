import type { OnError } from '../validate.js';

/** Options shared by `loadDataset` and every reader. */
export interface LoadOptions {
  /** A malformed row: 'fail' throws its RowError and loads nothing (default); 'skip' quarantines it. */
  onError?: OnError;
  /** Where 'skip' writes the bad rows (CSV: file,line,field,value,reason,raw). Default `<cwd>/quarantine-<name>.csv`. */
  quarantinePath?: string;
  /** Dataset name to use instead of the folder or file name. */
  name?: string;
  /**
   * Ids that appear only in an items/users file, in no interaction: 'keep' them as cold items/users
   * (default) or 'drop' them. Either way a note counts them, with examples. A generic config may set
   * it too ("catalogueOnly"); this option wins.
   */
  catalogueOnly?: 'keep' | 'drop';
}
