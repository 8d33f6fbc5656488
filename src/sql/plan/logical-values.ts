// Rows given literally (VALUES, or the single empty row of a SELECT without FROM).
import type { DataType } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';

export interface LogicalValues {
  readonly kind: 'Values';
  readonly columnTypes: readonly DataType[];
  /** Each row's expressions; they may refer to parameters but not to columns. */
  readonly rows: readonly (readonly BoundExpr[])[];
}
