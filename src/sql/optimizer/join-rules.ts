// Join rules, applied top-down before the other rules:
// - filters move below projections that copy the columns they read, and below sorts;
// - a filter right above an inner join becomes part of the join condition (so comma joins with
//   their equalities in WHERE become hash joins); above a left (right) join, conjuncts reading only
//   the preserved side move below the join on that side;
// - conjuncts of an inner join's condition that read one side only become a filter on that side
//   (where point lookups and partition pruning can use them); for outer and semi joins only the
//   conjuncts on the side whose rows may go unmatched move;
// - equalities between an expression of the left row and one of the right row become hash keys,
//   when their values can be compared by their hash keys (see functions/hashable.ts);
// and, once access paths are chosen, an inner join builds its hash table from the left input when
// that is known to be smaller (chooseBuildSides).

import { unreachable } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import { hashableType } from '../../functions/hashable.js';
import type { BoundExpr } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { JoinKey, LogicalJoin } from '../plan/logical-join.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import { planWidth } from '../plan/plan-width.js';
import { planChildren, withChildren } from '../plan/plan-children.js';

function conjuncts(expr: BoundExpr | null): BoundExpr[] {
  if (expr === null) return [];
  if (expr.kind === 'Literal' && expr.value === true) return [];
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

function and(parts: readonly BoundExpr[]): BoundExpr | null {
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] as BoundExpr : { kind: 'And', type: Types.bool, args: parts };
}

/** Which sides of a join row ([left..., right...]) an expression reads. */
function sidesOf(expr: BoundExpr, leftWidth: number): { left: boolean; right: boolean } {
  const sides = { left: false, right: false };
  mapExpr(expr, (node) => {
    if (node.kind === 'Column') {
      if (node.index < leftWidth) sides.left = true;
      else sides.right = true;
    }
    return undefined;
  });
  return sides;
}

function shift(expr: BoundExpr, by: number): BoundExpr {
  return mapExpr(expr, (node) => (node.kind === 'Column' ? { ...node, index: node.index + by } : undefined));
}

function withFilter(plan: LogicalPlan, parts: readonly BoundExpr[]): LogicalPlan {
  const predicate = and(parts);
  if (predicate === null) return plan;
  if (plan.kind === 'Filter') return { ...plan, predicate: and([...conjuncts(plan.predicate), ...parts]) ?? plan.predicate };
  return { kind: 'Filter', input: plan, predicate };
}

export function planJoins(plan: LogicalPlan): LogicalPlan {
  switch (plan.kind) {
    case 'Values': case 'Scan': case 'Lookup': case 'StoredCount': case 'FunctionScan': return plan;
    case 'Filter': {
      const input = plan.input;
      if (input.kind === 'Filter') return planJoins({ ...input, predicate: and([...conjuncts(input.predicate), ...conjuncts(plan.predicate)]) ?? input.predicate });
      if (input.kind === 'Sort') return planJoins({ ...input, input: { ...plan, input: input.input } });
      if (input.kind === 'Project') return throughProject(plan.predicate, input);
      if (input.kind !== 'Join') return { ...plan, input: planJoins(input) };
      const pushed = filterIntoJoin(input, conjuncts(plan.predicate));
      return pushed.rest.length === 0 ? planJoins(pushed.join) : { ...plan, input: planJoins(pushed.join), predicate: and(pushed.rest) ?? plan.predicate };
    }
    case 'Join': return hashKeys(pushDown(plan));
    case 'Project': case 'Sort': case 'Limit': case 'Aggregate': case 'Distinct': case 'Apply': case 'Window':
      return { ...plan, input: planJoins(plan.input) };
    case 'SetOp': case 'LateralJoin': return { ...plan, left: planJoins(plan.left), right: planJoins(plan.right) };
    case 'RecursiveUnion': return { ...plan, base: planJoins(plan.base), recursive: planJoins(plan.recursive) };
    case 'WorkTableScan': return plan;
    default: return unreachable(plan, 'plan node');
  }
}

/**
 * A filter above a projection: the conjuncts that read only columns the projection copies move
 * below it (so a filter on a FROM subquery or WITH query reaches the joins and scans inside).
 */
function throughProject(predicate: BoundExpr, project: Extract<LogicalPlan, { kind: 'Project' }>): LogicalPlan {
  const below: BoundExpr[] = [];
  const above: BoundExpr[] = [];
  for (const part of conjuncts(predicate)) {
    let copies = true;
    const mapped = mapExpr(part, (node) => {
      if (node.kind !== 'Column') return undefined;
      const source = project.exprs[node.index];
      if (source?.kind !== 'Column') {
        copies = false;
        return node;
      }
      return { ...node, index: source.index };
    });
    if (copies) below.push(mapped);
    else above.push(part);
  }
  const projected = planJoins({ ...project, input: withFilter(project.input, below) });
  const rest = and(above);
  return rest === null ? projected : { kind: 'Filter', input: projected, predicate: rest };
}

/** WHERE conjuncts above a join: into an inner join's condition, or below it on a preserved side. */
function filterIntoJoin(join: LogicalJoin, parts: readonly BoundExpr[]): { join: LogicalJoin; rest: BoundExpr[] } {
  if (join.joinType === 'inner') return { join: { ...join, condition: and([...conjuncts(join.condition), ...parts]) }, rest: [] };
  const leftWidth = planWidth(join.left);
  const rest: BoundExpr[] = [];
  const toLeft: BoundExpr[] = [];
  const toRight: BoundExpr[] = [];
  for (const part of parts) {
    const sides = sidesOf(part, leftWidth);
    if ((join.joinType === 'left' || join.joinType === 'semi' || join.joinType === 'anti') && !sides.right) toLeft.push(part);
    else if (join.joinType === 'right' && !sides.left) toRight.push(shift(part, -leftWidth));
    else rest.push(part);
  }
  return { join: { ...join, left: withFilter(join.left, toLeft), right: withFilter(join.right, toRight) }, rest };
}

/** Condition conjuncts that read one side only move below the join where that keeps its meaning. */
function pushDown(join: LogicalJoin): LogicalJoin {
  const leftWidth = planWidth(join.left);
  const canFilterLeft = join.joinType === 'inner' || join.joinType === 'right';
  const canFilterRight = join.joinType === 'inner' || join.joinType === 'left' || join.joinType === 'semi' || join.joinType === 'anti';
  const toLeft: BoundExpr[] = [];
  const toRight: BoundExpr[] = [];
  const rest: BoundExpr[] = [];
  for (const part of conjuncts(join.condition)) {
    const sides = sidesOf(part, leftWidth);
    if (sides.left && !sides.right && canFilterLeft) toLeft.push(part);
    else if (sides.right && !sides.left && canFilterRight) toRight.push(shift(part, -leftWidth));
    else rest.push(part);
  }
  return {
    ...join, condition: and(rest),
    left: planJoins(withFilter(join.left, toLeft)), right: planJoins(withFilter(join.right, toRight)),
  };
}

/** `left expr = right expr` conjuncts become hash keys. */
function hashKeys(join: LogicalJoin): LogicalJoin {
  const leftWidth = planWidth(join.left);
  const keys: JoinKey[] = [...join.keys];
  const rest: BoundExpr[] = [];
  for (const part of conjuncts(join.condition)) {
    const key = equiKey(part, leftWidth);
    if (key === undefined) rest.push(part);
    else keys.push(key);
  }
  return { ...join, keys, condition: and(rest) };
}

/**
 * After the access paths are chosen: an inner hash join whose left input is known to produce fewer
 * rows than its right one (a point lookup, VALUES, an ungrouped aggregate) builds from the left.
 */
export function chooseBuildSides(plan: LogicalPlan): LogicalPlan {
  const next = withChildren(plan, planChildren(plan).map(chooseBuildSides));
  if (next.kind !== 'Join' || next.joinType !== 'inner' || next.keys.length === 0) return next;
  return estimatedRows(next.left) < estimatedRows(next.right) ? { ...next, buildLeft: true } : next;
}

/** Rows a plan produces at most, where the plan alone says so; Infinity when unknown. */
function estimatedRows(plan: LogicalPlan): number {
  switch (plan.kind) {
    case 'Lookup': case 'StoredCount': return 1;
    case 'Values': return plan.rows.length;
    case 'Aggregate': return plan.groupKeys.length === 0 ? 1 : estimatedRows(plan.input);
    case 'Limit': {
      const limit = plan.limit?.kind === 'Literal' && typeof plan.limit.value === 'number' ? plan.limit.value : Infinity;
      return Math.min(limit, estimatedRows(plan.input));
    }
    case 'Project': case 'Filter': case 'Sort': case 'Distinct': case 'Apply': case 'Window': return estimatedRows(plan.input);
    default: return Infinity;
  }
}

function equiKey(part: BoundExpr, leftWidth: number): JoinKey | undefined {
  if (part.kind !== 'Call' || part.fn.def.name !== '=' || part.args.length !== 2) return undefined;
  const [a, b] = part.args as [BoundExpr, BoundExpr];
  const [typeA, typeB] = part.fn.argTypes;
  if (typeA === undefined || typeB === undefined || !hashableType(typeA) || !hashableType(typeB)) return undefined;
  if (!hashableType(a.type) || !hashableType(b.type)) return undefined;
  const sidesA = sidesOf(a, leftWidth);
  const sidesB = sidesOf(b, leftWidth);
  if (sidesA.left && !sidesA.right && sidesB.right && !sidesB.left) return { left: a, right: shift(b, -leftWidth) };
  if (sidesB.left && !sidesB.right && sidesA.right && !sidesA.left) return { left: b, right: shift(a, -leftWidth) };
  return undefined;
}
