// Subqueries in expressions: for each input row, appends one column per subquery with its value
// (a scalar, EXISTS, or `arg op ANY/ALL (subquery)`, ARRAY(subquery)). Output row: [input row...,
// subquery values...]. An uncorrelated subquery runs once; a correlated one runs with its
// correlation values (expressions over the input row) bound to its outer references, and runs
// once per distinct set of those values.
import type { BoundSubquery } from '../bound-expr.js';
import type { LogicalPlan } from './logical-plan.js';

export interface LogicalApply {
  readonly kind: 'Apply';
  readonly input: LogicalPlan;
  readonly subqueries: readonly BoundSubquery[];
}
