// Rebuilds a bound expression bottom-up: `visit` sees each node after its children were rebuilt
// and may replace it. Used to rewrite expressions over an aggregate's output row.

import { unreachable } from '../common/errors.js';
import type { BoundExpr } from './bound-expr.js';

export function mapExpr(expr: BoundExpr, visit: (node: BoundExpr) => BoundExpr | undefined): BoundExpr {
  const replaced = visit(expr);
  if (replaced !== undefined) return replaced;
  const map = (child: BoundExpr): BoundExpr => mapExpr(child, visit);
  switch (expr.kind) {
    case 'Literal': case 'Parameter': case 'Column': case 'OuterRef': return expr;
    case 'Call': return { ...expr, args: expr.args.map(map) };
    case 'Cast': return { ...expr, arg: map(expr.arg) };
    case 'And': case 'Or': return { ...expr, args: expr.args.map(map) };
    case 'Not': return { ...expr, arg: map(expr.arg) };
    case 'IsNull': return { ...expr, arg: map(expr.arg) };
    case 'IsBool': return { ...expr, arg: map(expr.arg) };
    case 'Case': return { ...expr, whens: expr.whens.map((when) => ({ when: map(when.when), then: map(when.then) })), otherwise: map(expr.otherwise) };
    case 'Coalesce': return { ...expr, args: expr.args.map(map) };
    case 'NullIf': return { ...expr, left: map(expr.left), right: map(expr.right) };
    case 'InList': return { ...expr, arg: map(expr.arg), list: expr.list.map(map) };
    case 'Greatest': case 'Least': return { ...expr, args: expr.args.map(map) };
    // The subquery's own plan is another row's world; only what it reads from this row is mapped.
    case 'Subquery': return { ...expr, correlation: expr.correlation.map(map), arg: expr.arg === null ? null : map(expr.arg) };
    default: return unreachable(expr, 'expression');
  }
}

/** A structural identity of an expression (for matching GROUP BY keys in the select list). */
export function exprKey(expr: BoundExpr): string {
  return JSON.stringify(expr, (key, value: unknown) => {
    if (key === 'fn' && typeof value === 'object' && value !== null) {
      const resolved = value as { def: { name: string }; argTypes: unknown };
      return { name: resolved.def.name, argTypes: resolved.argTypes };
    }
    return typeof value === 'bigint' ? `${value}n` : value;
  });
}
