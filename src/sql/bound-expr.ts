// Bound expressions: Sluice's own expression tree, produced by the binder from libpg-query's AST.
// Names are resolved to input column indexes, every node carries its result type, and functions
// and operators are resolved to definitions. Nothing after the binder sees parser types.

import type { DataType, Value } from '../common/types.js';
import type { CastContext, ResolvedFunction } from '../functions/function.js';
import type { LogicalPlan } from './plan/logical-plan.js';

export type BoundExpr =
  | BoundLiteral
  | BoundParameter
  | BoundColumn
  | BoundCall
  | BoundCast
  | BoundLogical
  | BoundNot
  | BoundIsNull
  | BoundIsBool
  | BoundCase
  | BoundCoalesce
  | BoundNullIf
  | BoundInList
  | BoundGreatestLeast
  | BoundOuterRef
  | BoundSubquery;

export interface BoundLiteral { readonly kind: 'Literal'; readonly type: DataType; readonly value: Value }
/** $n: `index` is 0-based. */
export interface BoundParameter { readonly kind: 'Parameter'; readonly type: DataType; readonly index: number }
/** A column of the operator's input row, by position. */
export interface BoundColumn { readonly kind: 'Column'; readonly type: DataType; readonly index: number; readonly name: string }
export interface BoundCall {
  readonly kind: 'Call'; readonly type: DataType; readonly fn: ResolvedFunction; readonly args: readonly BoundExpr[];
}
/**
 * `context` is the cast's context: explicit CAST/:: truncates varchar(n) silently, while an
 * assignment (INSERT/UPDATE) fails with 22001. Absent means 'assignment' (the safe choice).
 */
export interface BoundCast { readonly kind: 'Cast'; readonly type: DataType; readonly arg: BoundExpr; readonly context?: CastContext }
export interface BoundLogical { readonly kind: 'And' | 'Or'; readonly type: DataType; readonly args: readonly BoundExpr[] }
export interface BoundNot { readonly kind: 'Not'; readonly type: DataType; readonly arg: BoundExpr }
export interface BoundIsNull { readonly kind: 'IsNull'; readonly type: DataType; readonly arg: BoundExpr; readonly negated: boolean }
/** IS [NOT] TRUE / FALSE / UNKNOWN. */
export interface BoundIsBool {
  readonly kind: 'IsBool'; readonly type: DataType; readonly arg: BoundExpr;
  readonly test: 'true' | 'false' | 'unknown'; readonly negated: boolean;
}
export interface BoundCase {
  readonly kind: 'Case'; readonly type: DataType;
  /** Simple CASE: each `when` is already an equality against the operand. */
  readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
  readonly otherwise: BoundExpr;
}
export interface BoundCoalesce { readonly kind: 'Coalesce'; readonly type: DataType; readonly args: readonly BoundExpr[] }
export interface BoundNullIf { readonly kind: 'NullIf'; readonly type: DataType; readonly left: BoundExpr; readonly right: BoundExpr; readonly equals: ResolvedFunction }
/** x [NOT] IN (a, b, ...): `equals` compares x with each item (after casts). */
export interface BoundInList {
  readonly kind: 'InList'; readonly type: DataType; readonly arg: BoundExpr; readonly list: readonly BoundExpr[];
  readonly equals: ResolvedFunction; readonly negated: boolean;
}
export interface BoundGreatestLeast {
  readonly kind: 'Greatest' | 'Least'; readonly type: DataType; readonly args: readonly BoundExpr[]; readonly compare: ResolvedFunction;
}

/**
 * Inside a correlated subquery: a column of an enclosing query's row. Its value is the subquery's
 * correlation value number `slot`, which the Apply running the subquery passes after the
 * statement's parameters, last slot first (so slot i is params[params.length - 1 - i]).
 */
export interface BoundOuterRef { readonly kind: 'OuterRef'; readonly type: DataType; readonly slot: number; readonly name: string }

export type SubqueryKind = 'scalar' | 'exists' | 'any' | 'all' | 'array';

/**
 * A subquery in an expression. The optimizer moves it into an Apply node below the expression's
 * plan node, which appends its value to the row; compiled expressions never see this node.
 */
export interface BoundSubquery {
  readonly kind: 'Subquery';
  readonly type: DataType;
  readonly subquery: SubqueryKind;
  readonly plan: LogicalPlan;
  /** Expressions over the current row giving the values of the subquery's outer references, by slot. */
  readonly correlation: readonly BoundExpr[];
  /** ANY/ALL: the left operand (over the current row) and the operator `arg op column`. */
  readonly arg: BoundExpr | null;
  readonly compare: ResolvedFunction | null;
}
