// LIMIT / OFFSET; the counts are expressions (constants or parameters), evaluated once.
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalLimit {
  readonly kind: 'Limit';
  readonly input: LogicalPlan;
  readonly limit: BoundExpr | null;
  readonly offset: BoundExpr | null;
}
