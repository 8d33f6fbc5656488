// Outer references of a subquery: a name the subquery does not find in its own FROM is looked up
// in the enclosing query (and, through its own Correlation, further out). Each distinct outer
// column becomes a correlation slot: the subquery reads it as an OuterRef, and the enclosing
// query evaluates `values[slot]` over its own row and passes it in when it runs the subquery.

import type { BoundExpr } from '../bound-expr.js';
import { exprKey } from '../bound-expr-walk.js';

export interface NameResolver {
  /** The column `qualifier.name` of this query (or an outer reference of it); undefined if not found. */
  resolveName(qualifier: string | null, name: string, position: number | undefined): BoundExpr | undefined;
}

export class Correlation {
  /** Expressions over the enclosing query's row, one per slot. */
  readonly values: BoundExpr[] = [];
  private readonly keys: string[] = [];

  constructor(private readonly enclosing: NameResolver) {}

  resolve(qualifier: string | null, name: string, position: number | undefined): BoundExpr | undefined {
    const expr = this.enclosing.resolveName(qualifier, name, position);
    if (expr === undefined) return undefined;
    const key = exprKey(expr);
    let slot = this.keys.indexOf(key);
    if (slot < 0) {
      slot = this.values.push(expr) - 1;
      this.keys.push(key);
    }
    return { kind: 'OuterRef', type: expr.type, slot, name: qualifier === null ? name : `${qualifier}.${name}` };
  }
}
