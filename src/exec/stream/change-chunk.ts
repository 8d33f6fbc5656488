// Changes as stream operators pass them: rows with a multiplicity each, +1 for a row that appears
// and -1 for one that goes away (an update is the pair). A chunk holds the changes of one commit,
// or part of one; operators take a chunk and return the chunk of changes it causes.

import type { Value } from '../../common/types.js';

export interface ChangeChunk {
  readonly rows: Value[][];
  /** diffs[i] is the multiplicity of rows[i]: positive inserts, negative retracts. */
  readonly diffs: number[];
}

export const emptyChunk = (): ChangeChunk => ({ rows: [], diffs: [] });

/** The kinds of change a subscriber sees, as Fluss names them. */
export type ChangeKind = 'insert' | 'update_before' | 'update_after' | 'delete';

export interface LabeledChange {
  readonly kind: ChangeKind;
  readonly row: Value[];
}
