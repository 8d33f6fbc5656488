// The inputs of a plan node (not the plans of subqueries inside its expressions).
import { unreachable } from '../../common/errors.js';
import type { LogicalPlan } from './logical-plan.js';

export function planChildren(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'Values': case 'Scan': case 'Lookup': case 'StoredCount': case 'FunctionScan': case 'WorkTableScan': return [];
    case 'Project': case 'Filter': case 'Sort': case 'Limit': case 'Aggregate': case 'Distinct': case 'Apply': case 'Window': return [plan.input];
    case 'Join': case 'SetOp': case 'LateralJoin': return [plan.left, plan.right];
    case 'RecursiveUnion': return [plan.base, plan.recursive];
    default: return unreachable(plan, 'plan node');
  }
}

/** Whether the plan (or any plan below it) satisfies `test`. */
export function planContains(plan: LogicalPlan, test: (node: LogicalPlan) => boolean): boolean {
  return test(plan) || planChildren(plan).some((child) => planContains(child, test));
}

/** The node with its inputs replaced (in planChildren's order). */
export function withChildren(plan: LogicalPlan, children: readonly LogicalPlan[]): LogicalPlan {
  const [first, second] = children;
  switch (plan.kind) {
    case 'Values': case 'Scan': case 'Lookup': case 'StoredCount': case 'FunctionScan': case 'WorkTableScan': return plan;
    case 'Project': case 'Filter': case 'Sort': case 'Limit': case 'Aggregate': case 'Distinct': case 'Apply': case 'Window':
      return { ...plan, input: first ?? plan.input };
    case 'Join': case 'SetOp': case 'LateralJoin': return { ...plan, left: first ?? plan.left, right: second ?? plan.right };
    case 'RecursiveUnion': return { ...plan, base: first ?? plan.base, recursive: second ?? plan.recursive };
    default: return unreachable(plan, 'plan node');
  }
}
