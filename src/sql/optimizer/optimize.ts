// Optimizer rules over the logical plan, applied bottom-up, then column pruning top-down:
// - a filter right above a scan picks its access path (access-path.ts): a point lookup, a KV
//   prefix or range scan, partition, bucket and offset pruning;
// - count(*) over a whole table with no filter or grouping becomes a stored count;
// - every scan learns which of its columns the query reads (log reads decode only those).
// Before them, subqueries in expressions move into Apply nodes (subqueries.ts) and filters move
// into and through joins, whose equalities become hash keys (join-rules.ts).

import { windowCallExprs } from '../plan/logical-window.js';
import { unreachable } from '../../common/errors.js';
import type { BoundExpr } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { chooseAccessPath } from './access-path.js';
import { chooseBuildSides, planJoins } from './join-rules.js';
import { extractSubqueries } from './subqueries.js';
import { planWidth } from '../plan/plan-width.js';

export function optimize(plan: LogicalPlan): LogicalPlan {
  return pruneColumns(chooseBuildSides(applyRules(planJoins(extractSubqueries(plan, optimize)))), null);
}

function applyRules(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'Values': case 'Scan': case 'Lookup': case 'StoredCount': case 'FunctionScan': return plan;
    case 'Project': return { ...plan, input: applyRules(plan.input) };
    case 'Limit': return limitScan({ ...plan, input: applyRules(plan.input) });
    case 'Sort': return { ...plan, input: applyRules(plan.input) };
    case 'Filter': return chooseAccessPath({ ...plan, input: applyRules(plan.input) });
    case 'Aggregate': return storedCount({ ...plan, input: applyRules(plan.input) });
    case 'Distinct': case 'Apply': case 'Window': return { ...plan, input: applyRules(plan.input) };
    case 'Join': case 'SetOp': case 'LateralJoin': return { ...plan, left: applyRules(plan.left), right: applyRules(plan.right) };
    case 'RecursiveUnion': return { ...plan, base: applyRules(plan.base), recursive: applyRules(plan.recursive) };
    case 'WorkTableScan': return plan;
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
    case 'Values': case 'Lookup': case 'StoredCount': case 'FunctionScan': return plan;
    case 'Scan': return needed === null ? plan : { ...plan, columns: [...needed].sort((a, b) => a - b) };
    case 'Project': {
      // An output that only copies an input column is needed only if the nodes above read it.
      const used = new Set<number>();
      plan.exprs.forEach((expr, i) => { if (needed === null || expr.kind !== 'Column' || needed.has(i)) columnsOf(expr, used); });
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Aggregate': {
      const used = new Set<number>();
      for (const key of plan.groupKeys) columnsOf(key, used);
      for (const call of plan.aggregates) for (const arg of [...call.args, ...(call.orderBy ?? []).map((key) => key.expr)]) columnsOf(arg, used);
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
    case 'Window': {
      if (needed === null) return { ...plan, input: pruneColumns(plan.input, null) };
      const width = planWidth(plan.input);
      const used = new Set([...needed].filter((index) => index < width));
      for (const call of plan.calls) for (const expr of windowCallExprs(call)) columnsOf(expr, used);
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Distinct': return { ...plan, input: pruneColumns(plan.input, needed === null || plan.keys === null ? null
      : plan.keys.reduce((used, key) => columnsOf(key, used), new Set(needed))) };
    case 'SetOp': return { ...plan, left: pruneColumns(plan.left, null), right: pruneColumns(plan.right, null) };
    case 'RecursiveUnion': return { ...plan, base: pruneColumns(plan.base, null), recursive: pruneColumns(plan.recursive, null) };
    case 'WorkTableScan': return plan;
    case 'Apply': {
      if (needed === null) return { ...plan, input: pruneColumns(plan.input, null) };
      const width = planWidth(plan.input);
      const used = new Set([...needed].filter((index) => index < width));
      for (const subquery of plan.subqueries) {
        for (const value of subquery.correlation) columnsOf(value, used);
        if (subquery.arg !== null) columnsOf(subquery.arg, used);
      }
      return { ...plan, input: pruneColumns(plan.input, used) };
    }
    case 'Join': {
      // Both sides read what the nodes above read of them, plus what the keys and condition compare.
      const leftWidth = planWidth(plan.left);
      const used = needed === null ? null : new Set(needed);
      if (used !== null && plan.condition !== null) columnsOf(plan.condition, used);
      const left = used === null ? null : new Set([...used].filter((index) => index < leftWidth));
      const right = used === null ? null : new Set([...used].filter((index) => index >= leftWidth).map((index) => index - leftWidth));
      for (const key of plan.keys) {
        if (left !== null) columnsOf(key.left, left);
        if (right !== null) columnsOf(key.right, right);
      }
      return { ...plan, left: pruneColumns(plan.left, left), right: pruneColumns(plan.right, right) };
    }
    case 'LateralJoin': {
      // The right plan runs on its own per left row; the left side keeps what is read of it.
      const leftWidth = planWidth(plan.left);
      const used = needed === null ? null : new Set([...needed].filter((index) => index < leftWidth));
      if (used !== null) {
        for (const value of plan.correlation) columnsOf(value, used);
        if (plan.condition !== null) for (const index of columnsOf(plan.condition, new Set())) if (index < leftWidth) used.add(index);
      }
      return { ...plan, left: pruneColumns(plan.left, used), right: pruneColumns(plan.right, null) };
    }
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
  // A scan narrowed by an access path (its filter moved into the scan) counts only some rows.
  if (scan.kind !== 'Scan' || scan.changelog || scan.access !== undefined || plan.groupKeys.length > 0 || plan.aggregates.length !== 1 || only?.fn !== 'count_star') {
    return plan;
  }
  return { kind: 'StoredCount', table: scan.table, partition: scan.partition };
}
