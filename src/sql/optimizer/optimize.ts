// Optimizer rules over the logical plan, applied bottom-up, then column pruning top-down:
// - a filter right above a scan picks its access path (access-path.ts): a point lookup, a KV
//   prefix or range scan, partition, bucket and offset pruning;
// - count(*) over a whole table with no filter or grouping becomes a stored count;
// - every scan learns which of its columns the query reads (log reads decode only those).

import { unreachable } from '../../common/errors.js';
import type { BoundExpr } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { chooseAccessPath } from './access-path.js';

export function optimize(plan: LogicalPlan): LogicalPlan {
  return pruneColumns(applyRules(plan), null);
}

function applyRules(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'Values': case 'Scan': case 'Lookup': case 'StoredCount': return plan;
    case 'Project': return { ...plan, input: applyRules(plan.input) };
    case 'Limit': return limitScan({ ...plan, input: applyRules(plan.input) });
    case 'Sort': return { ...plan, input: applyRules(plan.input) };
    case 'Filter': return chooseAccessPath({ ...plan, input: applyRules(plan.input) });
    case 'Aggregate': return storedCount({ ...plan, input: applyRules(plan.input) });
    default: return unreachable(plan, 'plan node');
  }
}

/** Input column positions an expression reads. */
function columnsOf(expr: BoundExpr, into: Set<number>): Set<number> {
  mapExpr(expr, (node) => {
    if (node.kind === 'Column') into.add(node.index);
    return undefined;
  });
  return into;
}

/**
 * Column pruning: tells each scan which of its columns the nodes above it read, up to the first
 * node that builds a new row (Project, Aggregate). `needed` null means every column.
 */
function pruneColumns(plan: LogicalPlan, needed: Set<number> | null): LogicalPlan {
  switch (plan.kind) {
    case 'Values': case 'Lookup': case 'StoredCount': return plan;
    case 'Scan': return needed === null ? plan : { ...plan, columns: [...needed].sort((a, b) => a - b) };
    case 'Project': {
      const used = new Set<number>();
      for (const expr of plan.exprs) columnsOf(expr, used);
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Aggregate': {
      const used = new Set<number>();
      for (const key of plan.groupKeys) columnsOf(key, used);
      for (const call of plan.aggregates) for (const arg of call.args) columnsOf(arg, used);
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Filter': return { ...plan, input: pruneColumns(plan.input, needed === null ? null : columnsOf(plan.predicate, new Set(needed))) };
    case 'Sort': {
      if (needed === null) return { ...plan, input: pruneColumns(plan.input, null) };
      const used = new Set(needed);
      for (const key of plan.keys) columnsOf(key.expr, used);
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Limit': return { ...plan, input: pruneColumns(plan.input, needed) };
    default: return unreachable(plan, 'plan node');
  }
}

function literalCount(expr: BoundExpr | null): number | undefined {
  if (expr === null) return 0;
  const value = expr.kind === 'Literal' ? expr.value : expr.kind === 'Cast' && expr.arg.kind === 'Literal' ? expr.arg.value : undefined;
  return typeof value === 'number' || typeof value === 'bigint' ? Number(value) : undefined;
}

/** LIMIT n [OFFSET m] right above a scan (through a projection) tells the scan to stop after n + m rows. */
function limitScan(plan: Extract<LogicalPlan, { kind: 'Limit' }>): LogicalPlan {
  const limit = literalCount(plan.limit);
  const offset = literalCount(plan.offset);
  if (plan.limit === null || limit === undefined || offset === undefined) return plan;
  const withLimit = (scan: LogicalPlan): LogicalPlan | undefined =>
    scan.kind === 'Scan' ? { ...scan, rowLimit: limit + offset } : undefined;
  if (plan.input.kind === 'Scan') return { ...plan, input: withLimit(plan.input) ?? plan.input };
  if (plan.input.kind === 'Project') {
    const scan = withLimit(plan.input.input);
    if (scan !== undefined) return { ...plan, input: { ...plan.input, input: scan } };
  }
  return plan;
}

function storedCount(plan: Extract<LogicalPlan, { kind: 'Aggregate' }>): LogicalPlan {
  const scan = plan.input;
  const only = plan.aggregates[0];
  if (scan.kind !== 'Scan' || scan.changelog || plan.groupKeys.length > 0 || plan.aggregates.length !== 1 || only?.fn !== 'count_star') {
    return plan;
  }
  return { kind: 'StoredCount', table: scan.table, partition: scan.partition };
}
