// The number of columns of a plan node's output row (used where a row is split in two: joins,
// and the columns appended by Apply).
import { unreachable } from '../../common/errors.js';
import { scanColumnSpecs } from '../binder/table-binder.js';
import type { LogicalPlan } from './logical-plan.js';

export function planWidth(plan: LogicalPlan): number {
  switch (plan.kind) {
    case 'Values': case 'FunctionScan': return plan.columnTypes.length;
    case 'Scan': return scanColumnSpecs(plan.table, plan.changelog).length;
    case 'Lookup': return scanColumnSpecs(plan.table, false).length;
    case 'StoredCount': return 1;
    case 'Project': return plan.exprs.length;
    case 'Filter': case 'Sort': case 'Limit': case 'Distinct': return planWidth(plan.input);
    case 'Aggregate': return plan.groupKeys.length + plan.aggregates.length;
    case 'Join': return plan.joinType === 'semi' || plan.joinType === 'anti' ? planWidth(plan.left) : planWidth(plan.left) + planWidth(plan.right);
    case 'SetOp': return planWidth(plan.left);
    case 'RecursiveUnion': return planWidth(plan.base);
    case 'LateralJoin': return planWidth(plan.left) + planWidth(plan.right);
    case 'WorkTableScan': return plan.columnTypes.length;
    case 'Apply': return planWidth(plan.input) + plan.subqueries.length;
    case 'Window': return planWidth(plan.input) + plan.calls.length;
    default: return unreachable(plan, 'plan node');
  }
}
