// Turns a logical plan into a tree of batch operators.
import { unreachable } from '../../common/errors.js';
import type { LogicalPlan } from '../../sql/plan/logical-plan.js';
import { FilterExec } from './filter-exec.js';
import { LimitExec } from './limit-exec.js';
import type { BatchOperator } from './operator.js';
import { ProjectExec } from './project-exec.js';
import { ScanExec } from './scan-exec.js';
import { SortExec } from './sort-exec.js';
import { AggregateExec } from './aggregate-exec.js';
import { LookupExec } from './lookup-exec.js';
import { StoredCountExec } from './stored-count-exec.js';
import { ValuesExec } from './values-exec.js';
import { FunctionScanExec } from './function-scan-exec.js';
import { planWidth } from '../../sql/plan/plan-width.js';
import { HashJoinExec } from './hash-join-exec.js';
import { NestedLoopJoinExec } from './nested-loop-join-exec.js';
import { DistinctExec } from './distinct-exec.js';
import { SetOpExec } from './set-op-exec.js';
import { ApplyExec } from './apply-exec.js';
import { RecursiveUnionExec } from './recursive-union-exec.js';
import { WorkTableScanExec } from './work-table-scan-exec.js';
import { LateralJoinExec } from './lateral-join-exec.js';
import { WindowExec } from './window-exec.js';

/**
 * The operator tree of a query whose rows go to the client. A projection on top (or under a
 * LIMIT on top) that passes on its input's leading columns in order is left out: the client is
 * sent the first columns of each row, so the input's extra trailing ones (a scan's hidden
 * columns) are never read, and a point lookup's row goes out without a copy.
 */
export function buildResultOperator(plan: LogicalPlan): BatchOperator {
  if (plan.kind === 'Limit') return new LimitExec(buildResultOperator(plan.input), plan.limit, plan.offset);
  if (plan.kind === 'Project' && plan.exprs.every((expr, index) => expr.kind === 'Column' && expr.index === index)) {
    return buildOperator(plan.input);
  }
  return buildOperator(plan);
}

export function buildOperator(plan: LogicalPlan): BatchOperator {
  switch (plan.kind) {
    case 'Values': return new ValuesExec(plan.rows);
    case 'FunctionScan': return new FunctionScanExec(plan);
    case 'Project': return new ProjectExec(buildOperator(plan.input), plan.exprs);
    case 'Filter': return new FilterExec(buildOperator(plan.input), plan.predicate);
    case 'Limit': return new LimitExec(buildOperator(plan.input), plan.limit, plan.offset);
    case 'Scan': return new ScanExec(plan);
    case 'Sort': return new SortExec(buildOperator(plan.input), plan.keys);
    case 'Window': return new WindowExec(buildOperator(plan.input), plan.calls, planWidth(plan.input));
    case 'Aggregate': return new AggregateExec(buildOperator(plan.input), plan.groupKeys, plan.aggregates);
    case 'Lookup': return new LookupExec(plan);
    case 'StoredCount': return new StoredCountExec(plan);
    case 'Join': {
      const shape = { joinType: plan.joinType, condition: plan.condition, leftWidth: planWidth(plan.left), rightWidth: planWidth(plan.right) };
      const left = buildOperator(plan.left);
      const right = buildOperator(plan.right);
      if (plan.keys.length === 0) return new NestedLoopJoinExec(left, right, shape);
      return new HashJoinExec(left, right, plan.keys, shape, plan.buildLeft === true && plan.joinType === 'inner');
    }
    case 'Distinct': return new DistinctExec(buildOperator(plan.input), plan.keys);
    case 'RecursiveUnion': return new RecursiveUnionExec(buildOperator(plan.base), buildOperator(plan.recursive), plan.id, plan.all);
    case 'WorkTableScan': return new WorkTableScanExec(plan.id, plan.name);
    case 'LateralJoin': return new LateralJoinExec(buildOperator(plan.left), buildOperator(plan.right), plan.joinType, plan.correlation,
      plan.condition, planWidth(plan.right));
    case 'SetOp': return new SetOpExec(buildOperator(plan.left), buildOperator(plan.right), plan.op, plan.all);
    case 'Apply': return new ApplyExec(buildOperator(plan.input), plan.subqueries.map((spec) => ({ spec, operator: buildOperator(spec.plan) })));
    default: return unreachable(plan, 'plan node');
  }
}
