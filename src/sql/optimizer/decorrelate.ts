// Turns `[NOT] EXISTS (subquery)` and `x IN (subquery)` conjuncts of a WHERE into semi and anti
// hash joins, so that the subquery's rows are read once instead of once per outer row:
// - EXISTS whose subquery is a filter over rows that do not depend on the outer query, where the
//   outer references appear only in equalities `inner expr = outer column`: those equalities
//   become the join keys, the other conjuncts filter the subquery's rows (NOT EXISTS: anti join);
// - an uncorrelated `x IN (SELECT y ...)`: a semi join on x = y. In a WHERE conjunct, IN's false
//   and NULL both drop the row, which is what a semi join does; NOT IN is left alone (its NULL
//   rules are not an anti join's).
// Only types whose equality the hash keys decide (functions/hashable.ts) qualify.

import { windowCallExprs } from '../plan/logical-window.js';
import { unreachable } from '../../common/errors.js';
import { Types } from '../../common/types.js';
import { hashableType } from '../../functions/hashable.js';
import type { BoundExpr, BoundSubquery } from '../bound-expr.js';
import { mapExpr } from '../bound-expr-walk.js';
import type { JoinKey } from '../plan/logical-join.js';
import type { LogicalPlan } from '../plan/logical-plan.js';

function referencesOuter(expr: BoundExpr): boolean {
  let found = false;
  mapExpr(expr, (node) => {
    if (node.kind === 'OuterRef') found = true;
    return undefined;
  });
  return found;
}

/** Whether any expression of the plan reads an outer reference of the query it belongs to. */
function planReferencesOuter(plan: LogicalPlan): boolean {
  const any = (exprs: readonly (BoundExpr | null)[]): boolean => exprs.some((expr) => expr !== null && referencesOuter(expr));
  switch (plan.kind) {
    case 'Scan': case 'StoredCount': return false;
    case 'Values': return plan.rows.some((row) => any(row));
    case 'Lookup': return any(plan.key);
    case 'FunctionScan': return any(plan.args);
    case 'Project': return any(plan.exprs) || planReferencesOuter(plan.input);
    case 'Filter': return any([plan.predicate]) || planReferencesOuter(plan.input);
    case 'Sort': return any(plan.keys.map((key) => key.expr)) || planReferencesOuter(plan.input);
    case 'Limit': return any([plan.limit, plan.offset]) || planReferencesOuter(plan.input);
    case 'Aggregate': return any([...plan.groupKeys, ...plan.aggregates.flatMap((call) => call.args)]) || planReferencesOuter(plan.input);
    case 'Distinct': return any(plan.keys ?? []) || planReferencesOuter(plan.input);
    case 'Window': return any(plan.calls.flatMap(windowCallExprs)) || planReferencesOuter(plan.input);
    case 'Join': return any([plan.condition, ...plan.keys.flatMap((key) => [key.left, key.right])])
      || planReferencesOuter(plan.left) || planReferencesOuter(plan.right);
    case 'SetOp': return planReferencesOuter(plan.left) || planReferencesOuter(plan.right);
    case 'LateralJoin': return any([...plan.correlation, plan.condition]) || planReferencesOuter(plan.left) || planReferencesOuter(plan.right);
    case 'RecursiveUnion': return planReferencesOuter(plan.base) || planReferencesOuter(plan.recursive);
    case 'WorkTableScan': return false;
    case 'Apply': return plan.subqueries.some((subquery) => any([...subquery.correlation, subquery.arg]))
      || planReferencesOuter(plan.input);
    default: return unreachable(plan, 'plan node');
  }
}

function conjuncts(expr: BoundExpr): BoundExpr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

/**
 * The input joined with the conjunct's subquery when the conjunct can be a semi or anti join;
 * `walk` prepares the subquery's rows (its own subqueries) as part of the outer plan.
 */
export function semiJoin(input: LogicalPlan, conjunct: BoundExpr, walk: (plan: LogicalPlan) => LogicalPlan): LogicalPlan | undefined {
  const negated = conjunct.kind === 'Not';
  const subquery = conjunct.kind === 'Not' ? conjunct.arg : conjunct;
  if (subquery.kind !== 'Subquery') return undefined;
  if (subquery.subquery === 'exists') {
    const found = existsKeys(subquery);
    if (found === undefined) return undefined;
    return { kind: 'Join', joinType: negated ? 'anti' : 'semi', left: input, right: walk(found.rows), keys: found.keys, condition: null };
  }
  if (subquery.subquery === 'any' && !negated && subquery.correlation.length === 0 && subquery.arg !== null
    && subquery.compare?.def.name === '=' && !planReferencesOuter(subquery.plan)) {
    const columnType = subquery.compare.argTypes[1];
    if (columnType === undefined || !hashableType(columnType) || !hashableType(subquery.arg.type)) return undefined;
    const keys: JoinKey[] = [{ left: subquery.arg, right: { kind: 'Column', type: columnType, index: 0, name: 'column1' } }];
    return { kind: 'Join', joinType: 'semi', left: input, right: walk(subquery.plan), keys, condition: null };
  }
  return undefined;
}

/** For a correlated EXISTS: the subquery's rows without the correlation, and the keys that replace it. */
function existsKeys(subquery: BoundSubquery): { rows: LogicalPlan; keys: JoinKey[] } | undefined {
  if (subquery.correlation.length === 0) return undefined;
  const body = subquery.plan.kind === 'Project' ? subquery.plan.input : subquery.plan;
  if (body.kind !== 'Filter' || planReferencesOuter(body.input)) return undefined;
  const keys: JoinKey[] = [];
  const rest: BoundExpr[] = [];
  for (const part of conjuncts(body.predicate)) {
    if (!referencesOuter(part)) {
      rest.push(part);
      continue;
    }
    if (part.kind !== 'Call' || part.fn.def.name !== '=' || part.args.length !== 2) return undefined;
    const [a, b] = part.args as [BoundExpr, BoundExpr];
    const [outer, inner] = a.kind === 'OuterRef' ? [a, b] : b.kind === 'OuterRef' ? [b, a] : [undefined, undefined];
    if (outer?.kind !== 'OuterRef' || inner === undefined || referencesOuter(inner)) return undefined;
    const value = subquery.correlation[outer.slot];
    if (value === undefined || !hashableType(outer.type) || !hashableType(inner.type) || !part.fn.argTypes.every(hashableType)) return undefined;
    keys.push({ left: value, right: inner });
  }
  if (keys.length === 0) return undefined;
  const rows: LogicalPlan = rest.length === 0 ? body.input
    : { kind: 'Filter', input: body.input, predicate: rest.length === 1 ? rest[0] as BoundExpr : { kind: 'And', type: Types.bool, args: rest } };
  return { rows, keys };
}
