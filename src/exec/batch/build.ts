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

export function buildOperator(plan: LogicalPlan): BatchOperator {
  switch (plan.kind) {
    case 'Values': return new ValuesExec(plan.rows);
    case 'Project': return new ProjectExec(buildOperator(plan.input), plan.exprs);
    case 'Filter': return new FilterExec(buildOperator(plan.input), plan.predicate);
    case 'Limit': return new LimitExec(buildOperator(plan.input), plan.limit, plan.offset);
    case 'Scan': return new ScanExec(plan);
    case 'Sort': return new SortExec(buildOperator(plan.input), plan.keys);
    case 'Aggregate': return new AggregateExec(buildOperator(plan.input), plan.groupKeys, plan.aggregates);
    case 'Lookup': return new LookupExec(plan);
    case 'StoredCount': return new StoredCountExec(plan);
    default: return unreachable(plan, 'plan node');
  }
}
