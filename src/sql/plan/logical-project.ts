// Computes output columns from the input row.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalProject {
  readonly kind: 'Project';
  readonly input: LogicalPlan;
  readonly exprs: readonly BoundExpr[];
}
