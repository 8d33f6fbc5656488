// COPY's data format options, shared by the binder (which reads them from the statement) and the
// wire layer (which encodes and decodes the data in that format).

/** COPY's data format options, as given in the statement (defaults filled in by the engine). */
export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  /** Column separator: a tab for text, a comma for csv. */
  readonly delimiter: string;
  /** How NULL is written: `\N` for text, an empty unquoted field for csv. */
  readonly nullString: string;
  /** csv only: the first line is a header (skipped on input, written on output). */
  readonly header: boolean;
  /** csv only: quote and escape characters (both `"` by default). */
  readonly quote: string;
  readonly escape: string;
}
