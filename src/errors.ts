/** An error meant for the person at the keyboard: the CLI prints its message on one line, no stack. */
export class UnirecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnirecError';
  }
}

/** A row of an input file that cannot be read: names the file, line, field and value. */
export class RowError extends UnirecError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: field "${field}" ${reason} (value: ${JSON.stringify(value)})`);
    this.name = 'RowError';
  }
}
