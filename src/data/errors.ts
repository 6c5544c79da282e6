/**
 * Errors for bad data files and folders. Every loader and parser throws `DataFormatError`
 * for a user's bad input, with a message that names the file, the position or field, the
 * value found and what was expected; the CLI prints the message without a stack trace.
 */
export class DataFormatError extends Error {
  /** The file or folder the problem is in. */
  readonly source: string;

  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "DataFormatError";
    this.source = source;
  }
}
