// Binds parser expressions to BoundExpr: resolves column names in a Scope, types literals and
// parameters, resolves operators and functions (PostgreSQL's overload rules live in functions/),
// and inserts the casts they need. Errors carry the position of the offending token.

import type { Node, RowExpr, A_ArrayExpr, A_Expr, A_Indirection, A_Const, FuncCall, TypeCast, CaseExpr, ColumnRef, SQLValueFunction, SelectStmt, SubLink, WindowDef } from 'libpg-query';
import { SqlError, SqlState, notSupported } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import { Decimal } from '../../common/decimal.js';
import { Types, sameType, type DataType, type Value } from '../../common/types.js';
import { commonType, resolveFunction, resolveOperator } from '../../functions/resolve.js';
import type { ResolvedFunction } from '../../functions/function.js';
import { arrayComparison } from '../../functions/array-compare.js';
import { arraySubscript } from '../../functions/array-subscript.js';
import { fieldSelect, rowConstructor } from '../../functions/record.js';
import type { BoundExpr, SubqueryKind } from '../bound-expr.js';
import type { BoundQuery } from '../bound-statement.js';
import { Correlation, type NameResolver } from './correlation.js';
import { exprKey, mapExpr } from '../bound-expr-walk.js';
import type { SortKey } from '../plan/logical-sort.js';
import type { SourceText } from '../parser.js';
import { coerce } from './coerce.js';
import type { ParameterTypes } from './parameters.js';
import { Scope } from './scope.js';
import { bindTypeName } from './type-name.js';
import { AggregateCollector, containsAggregate, isAggregateName, plainAggregateCall } from './aggregate-binder.js';
import { isRankingName, isUnsupportedWindowName, windowFrameEnd, type WindowCollector } from './window-binder.js';

export interface ExprBinderContext {
  readonly source: SourceText;
  readonly parameters: ParameterTypes;
  /** The session's TimeZone, for literals of timestamptz. */
  readonly timeZone: string;
}

/** What an expression binder needs to bind subqueries in its expressions. */
export interface Nesting {
  /** Binds a subquery; `correlation` resolves the names it does not find in its own FROM. */
  bindSubquery(statement: SelectStmt, correlation: Correlation): BoundQuery;
  /** Resolves names this query does not find itself (when it is a subquery), else null. */
  readonly outer: Correlation | null;
}

const int4Min = -2147483648;
const int4Max = 2147483647;

export function stringValue(node: Node | undefined): string | undefined {
  return node !== undefined && 'String' in node ? node.String.sval ?? '' : undefined;
}

export function qualifiedName(nodes: readonly Node[] | undefined): string[] {
  return (nodes ?? []).map((node) => stringValue(node) ?? '');
}

export class ExprBinder implements NameResolver {
  private depth = 0;
  /** Set while binding expressions where aggregates may appear (select list, HAVING, ORDER BY). */
  aggregates: AggregateCollector | undefined;
  /** Set while binding expressions where window functions may appear (select list, ORDER BY). */
  windows: WindowCollector | undefined;
  /** Names the clause being bound, for "aggregate functions are not allowed in WHERE". */
  clause = 'this context';

  constructor(readonly context: ExprBinderContext, private readonly scope: Scope = Scope.empty,
    private readonly nesting?: Nesting) {}

  /** A binder over the same names that may also bind subqueries. */
  withNesting(nesting: Nesting): ExprBinder {
    return new ExprBinder(this.context, this.scope, nesting);
  }

  /** A column of this query's row, or an outer reference when an enclosing query has the name. */
  resolveName(qualifier: string | null, name: string, position: number | undefined): BoundExpr | undefined {
    const column = this.scope.find(qualifier, name, position);
    if (column !== undefined) return { kind: 'Column', type: column.type, index: column.index, name: column.name };
    return this.nesting?.outer?.resolve(qualifier, name, position);
  }

  /** `left = right` for two bound expressions (JOIN ... USING). */
  equality(left: BoundExpr, right: BoundExpr, location: number | undefined): BoundExpr {
    return this.call(this.resolveOp('=', left, right, location), [left, right], [location, location]);
  }

  position(location: number | undefined): number | undefined {
    return this.context.source.positionOfByte(location);
  }

  /** Binds an expression whose value must be boolean (WHERE, HAVING, AND/OR arguments). */
  bindCondition(node: Node, what: string): BoundExpr {
    const bound = this.bind(node);
    if (bound.type.name === 'bool') return bound;
    if (bound.type.name === 'unknown') return this.coerceTo(bound, Types.bool, 'implicit', locationOf(node));
    throw new SqlError(SqlState.datatypeMismatch, `argument of ${what} must be type boolean, not type ${bound.type.name}`,
      this.at(locationOf(node)));
  }

  coerceTo(expr: BoundExpr, type: DataType, context: 'implicit' | 'assignment' | 'explicit', location: number | undefined): BoundExpr {
    return coerce(expr, type, context, this.context.parameters, this.position(location), this.context.timeZone);
  }

  bind(node: Node): BoundExpr {
    if (++this.depth > limits.expressionDepthMax) {
      throw new SqlError(SqlState.programLimitExceeded, 'expression is too deeply nested');
    }
    try {
      return this.bindNode(node);
    } finally {
      this.depth--;
    }
  }

  private at(location: number | undefined): { position?: number } {
    const position = this.position(location);
    return position === undefined ? {} : { position };
  }

  private bindNode(node: Node): BoundExpr {
    if ('A_Const' in node) return this.bindConstant(node.A_Const);
    if ('ParamRef' in node) {
      const number = node.ParamRef.number ?? 0;
      const type = this.context.parameters.typeOf(number, this.position(node.ParamRef.location));
      return { kind: 'Parameter', type, index: number - 1 };
    }
    if ('TypeCast' in node) return this.bindCast(node.TypeCast);
    if ('ColumnRef' in node) return this.bindColumn(node.ColumnRef);
    if ('A_Expr' in node) return this.bindOperatorExpr(node.A_Expr);
    if ('BoolExpr' in node) return this.bindBoolExpr(node.BoolExpr.boolop, node.BoolExpr.args ?? []);
    if ('NullTest' in node) {
      const arg = this.bindResolvingUnknown(requireNode(node.NullTest.arg));
      return { kind: 'IsNull', type: Types.bool, arg, negated: node.NullTest.nulltesttype === 'IS_NOT_NULL' };
    }
    if ('BooleanTest' in node) return this.bindBooleanTest(node.BooleanTest.booltesttype, requireNode(node.BooleanTest.arg));
    if ('FuncCall' in node) return this.bindFunctionCall(node.FuncCall);
    if ('SQLValueFunction' in node) return this.bindSqlValueFunction(node.SQLValueFunction);
    if ('CaseExpr' in node) return this.bindCase(node.CaseExpr);
    if ('CoalesceExpr' in node) {
      const args = this.bindCommon(node.CoalesceExpr.args ?? [], 'COALESCE', node.CoalesceExpr.location);
      return { kind: 'Coalesce', type: args[0]?.type ?? Types.text, args };
    }
    if ('MinMaxExpr' in node) return this.bindGreatestLeast(node.MinMaxExpr.op, node.MinMaxExpr.args ?? [], node.MinMaxExpr.location);
    if ('CollateClause' in node) return this.bind(requireNode(node.CollateClause.arg));
    if ('SubLink' in node) return this.bindSubLink(node.SubLink);
    if ('A_ArrayExpr' in node) return this.bindArray(node.A_ArrayExpr);
    if ('A_Indirection' in node) return this.bindSubscripts(node.A_Indirection);
    if ('RowExpr' in node) return this.bindRow(node.RowExpr);
    throw notSupported(`expression ${Object.keys(node)[0] ?? '?'} is not supported`);
  }

  private bindConstant(constant: A_Const): BoundExpr {
    if (constant.isnull) return { kind: 'Literal', type: Types.unknown, value: null };
    if (constant.ival !== undefined) {
      return { kind: 'Literal', type: Types.int4, value: constant.ival.ival ?? 0 };
    }
    if (constant.fval !== undefined) return this.bindNumericLiteral(constant.fval.fval ?? '0', constant.location);
    if (constant.boolval !== undefined) return { kind: 'Literal', type: Types.bool, value: constant.boolval.boolval ?? false };
    if (constant.sval !== undefined) return { kind: 'Literal', type: Types.unknown, value: constant.sval.sval ?? '' };
    if (constant.bsval !== undefined) throw notSupported('bit string literals are not supported', undefined);
    return { kind: 'Literal', type: Types.unknown, value: null };
  }

  /** Integer literals beyond int4 become bigint, then numeric; decimals are numeric. */
  private bindNumericLiteral(text: string, location: number | undefined): BoundExpr {
    if (/^-?\d+$/.test(text)) {
      const value = BigInt(text);
      if (value >= BigInt(int4Min) && value <= BigInt(int4Max)) return { kind: 'Literal', type: Types.int4, value: Number(value) };
      if (value >= -(2n ** 63n) && value < 2n ** 63n) return { kind: 'Literal', type: Types.int8, value };
    }
    try {
      return { kind: 'Literal', type: Types.numeric, value: Decimal.parse(text) };
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(location)) : error;
    }
  }

  private bindCast(cast: TypeCast): BoundExpr {
    const target = bindTypeName(requireValue(cast.typeName), this.position(cast.typeName?.location ?? cast.location));
    const arg = this.bind(requireNode(cast.arg));
    return this.coerceTo(arg, target, 'explicit', locationOf(requireNode(cast.arg)) ?? cast.location);
  }

  private bindColumn(ref: ColumnRef): BoundExpr {
    const fields = ref.fields ?? [];
    const names = fields.map((field) => stringValue(field));
    const position = this.position(ref.location);
    if (fields.some((field) => 'A_Star' in field)) {
      throw new SqlError(SqlState.syntaxError, '* is not allowed here', position === undefined ? {} : { position });
    }
    const name = names[names.length - 1] ?? '';
    const qualifier = names.length >= 2 ? names[names.length - 2] ?? null : null;
    const found = this.resolveName(qualifier, name, position);
    if (found === undefined) throw this.scope.notFound(qualifier, name, position);
    return found;
  }

  private bindSubLink(link: SubLink): BoundExpr {
    const at = this.at(link.location);
    const select = link.subselect !== undefined && 'SelectStmt' in link.subselect ? link.subselect.SelectStmt : undefined;
    if (this.nesting === undefined) throw new SqlError(SqlState.featureNotSupported, 'subqueries are not supported here', at);
    if (select === undefined) throw new SqlError(SqlState.syntaxError, 'subquery expected', at);
    const correlation = new Correlation(this);
    const query = this.nesting.bindSubquery(select, correlation);
    const subquery = (kind: SubqueryKind, type: DataType, plan = query.plan, arg: BoundExpr | null = null,
      compare: ResolvedFunction | null = null): BoundExpr => ({ kind: 'Subquery', type, subquery: kind, plan, correlation: correlation.values, arg, compare });
    const onlyColumn = (): BoundQuery['columns'][number] => {
      const column = query.columns[0];
      if (column === undefined || query.columns.length > 1) throw new SqlError(SqlState.syntaxError, 'subquery must return only one column', at);
      return column;
    };
    switch (link.subLinkType) {
      case 'EXISTS_SUBLINK': return subquery('exists', Types.bool);
      case 'EXPR_SUBLINK': return subquery('scalar', onlyColumn().type);
      case 'ARRAY_SUBLINK': {
        const type = onlyColumn().type;
        if (type.element !== undefined) throw notSupported('ARRAY() of an array subquery is not supported');
        return subquery('array', { name: type.name, element: type });
      }
      case 'ANY_SUBLINK': case 'ALL_SUBLINK': {
        const test = requireNode(link.testexpr);
        if ('RowExpr' in test) throw new SqlError(SqlState.featureNotSupported, 'row comparisons with subqueries are not supported', at);
        const column = onlyColumn();
        const op = qualifiedName(link.operName).pop() ?? '=';
        const arg = this.bind(test);
        const columnExpr: BoundExpr = { kind: 'Column', type: column.type, index: 0, name: column.name };
        const fn = this.resolveOp(op, arg, columnExpr, link.location);
        if (fn.returnType.name !== 'bool') throw new SqlError(SqlState.datatypeMismatch, `op ANY/ALL (array) requires operator to yield boolean`, at);
        const target = fn.argTypes[1];
        const plan = target === undefined || target.name === 'unknown' || sameType(target, column.type) ? query.plan
          : { kind: 'Project' as const, input: query.plan, exprs: [this.coerceTo(columnExpr, target, 'implicit', link.location)] };
        const kind = link.subLinkType === 'ANY_SUBLINK' ? 'any' : 'all';
        return subquery(kind, Types.bool, plan, this.coerceTo(arg, fn.argTypes[0] ?? arg.type, 'implicit', locationOf(test)), fn);
      }
      default: throw new SqlError(SqlState.featureNotSupported, `${link.subLinkType ?? 'this kind of'} subquery is not supported`, at);
    }
  }

  private bindOperatorExpr(expr: A_Expr): BoundExpr {
    const op = qualifiedName(expr.name).pop() ?? '';
    switch (expr.kind) {
      case 'AEXPR_OP':
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
      case 'AEXPR_SIMILAR':
        return this.bindOperator(op, expr.lexpr, requireNode(expr.rexpr), expr.location);
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT':
        return this.bindDistinct(expr, expr.kind === 'AEXPR_NOT_DISTINCT');
      case 'AEXPR_NULLIF': {
        const [left, right] = this.bindCommon([requireNode(expr.lexpr), requireNode(expr.rexpr)], 'NULLIF', expr.location);
        const equals = this.resolveOp('=', left ?? null, requireValue(right), expr.location);
        return { kind: 'NullIf', type: requireValue(left).type, left: requireValue(left), right: requireValue(right), equals };
      }
      case 'AEXPR_IN':
        return this.bindInList(expr, op === '<>');
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM':
        return this.bindBetween(expr);
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        return this.bindArrayComparison(op, expr, expr.kind === 'AEXPR_OP_ANY' ? 'any' : 'all');
      default:
        throw notSupported(`operator expression ${String(expr.kind)} is not supported`);
    }
  }

  /** `ARRAY[a, b]` (elements of one common type; ARRAY[ARRAY[..], ..] is multidimensional). */
  private bindArray(array: A_ArrayExpr): BoundExpr {
    const nodes = array.elements ?? [];
    if (nodes.length === 0) {
      throw new SqlError(SqlState.indeterminateDatatype, 'cannot determine type of empty array', this.at(array.location));
    }
    let elements = this.bindCommon(nodes, 'ARRAY', array.location);
    if (elements[0]?.type.name === 'unknown') elements = elements.map((element, i) => this.coerceTo(element, Types.text, 'implicit', locationOf(nodes[i])));
    const elementType = (elements[0] as BoundExpr).type;
    const type: DataType = elementType.element !== undefined ? elementType : { name: elementType.name, element: elementType };
    const argTypes = elements.map((element) => element.type);
    const impl = (args: readonly Value[]): Value => [...args];
    const fn: ResolvedFunction = { def: { name: 'array', args: argTypes, returns: type, strict: false, volatility: 'immutable', impl }, argTypes, returnType: type };
    return { kind: 'Call', type, fn, args: elements };
  }

  /**
   * `ROW(a, b)` / `(a, b)`: a record with fields f1, f2, ..., or the names in `colnames` (which
   * the select-list rewrite of a set-returning function's whole row gives).
   */
  private bindRow(row: RowExpr): BoundExpr {
    const nodes = row.args ?? [];
    const args = nodes.map((arg) => this.bindResolvingUnknown(arg));
    const names = (row.colnames ?? []).map((name) => stringValue(name));
    const fn = rowConstructor(args.map((arg, i) => ({ name: names[i] ?? `f${i + 1}`, type: arg.type })));
    return this.call(fn, args, nodes.map(locationOf));
  }

  /** `(r).field` on a record, `array[i]`, `array[i][j]`: one call per step; slices are not supported. */
  private bindSubscripts(node: A_Indirection): BoundExpr {
    let expr = this.bind(requireNode(node.arg));
    for (const item of node.indirection ?? []) {
      if ('String' in item) {
        const name = item.String.sval ?? '';
        const select = fieldSelect(expr.type, name);
        if (select === undefined) {
          const message = expr.type.name === 'record'
            ? `could not identify column "${name}" in record data type`
            : `column notation .${name} applied to type ${expr.type.name}, which is not a composite type`;
          throw new SqlError(SqlState.undefinedColumn, message, this.at(locationOf(node.arg)));
        }
        expr = this.call(select, [expr], [locationOf(node.arg)]);
        continue;
      }
      const indices = 'A_Indices' in item ? item.A_Indices : undefined;
      if (indices === undefined || indices.is_slice === true || indices.uidx === undefined) {
        throw notSupported('only array subscripts [i] are supported here');
      }
      const fn = arraySubscript(expr.type);
      if (fn === undefined) {
        throw new SqlError(SqlState.datatypeMismatch, `cannot subscript type ${expr.type.name} because it does not support subscripting`,
          this.at(locationOf(node.arg)));
      }
      const index = this.bind(indices.uidx);
      expr = this.call(fn, [expr, index], [locationOf(node.arg), locationOf(indices.uidx)]);
    }
    return expr;
  }

  /** `x op ANY (array)` / `ALL`: the operator resolved against the array's element type. */
  private bindArrayComparison(op: string, expr: A_Expr, quantifier: 'any' | 'all'): BoundExpr {
    const left = this.bindResolvingUnknown(requireNode(expr.lexpr));
    const rightNode = requireNode(expr.rexpr);
    let right = this.bind(rightNode);
    if (right.type.name === 'unknown' && right.type.element === undefined) {
      right = this.coerceTo(right, { name: left.type.name, element: left.type }, 'implicit', locationOf(rightNode));
    }
    const element = right.type.element;
    if (element === undefined) {
      throw new SqlError(SqlState.wrongObjectType, `op ANY/ALL (array) requires array on right side`, this.at(expr.location));
    }
    const fn = this.resolveOp(op, left, { kind: 'Literal', type: element, value: null }, expr.location);
    if (fn.returnType.name !== 'bool') {
      throw new SqlError(SqlState.wrongObjectType, 'op ANY/ALL (array) requires operator to yield boolean', this.at(expr.location));
    }
    const elementType = fn.argTypes[1] ?? element;
    const arrayType: DataType = { name: elementType.name, element: elementType };
    return this.call(arrayComparison(fn, quantifier, arrayType), [left, right], [locationOf(expr.lexpr), locationOf(rightNode)]);
  }

  bindOperator(op: string, leftNode: Node | undefined, rightNode: Node, location: number | undefined): BoundExpr {
    const left = leftNode === undefined ? null : this.bind(leftNode);
    const right = this.bind(rightNode);
    const fn = this.resolveOp(op, left, right, location);
    const args = left === null ? [right] : [left, right];
    return this.call(fn, args, left === null ? [locationOf(rightNode)] : [locationOf(leftNode), locationOf(rightNode)]);
  }

  private resolveOp(op: string, left: BoundExpr | null, right: BoundExpr, location: number | undefined): ResolvedFunction {
    try {
      return resolveOperator(op, left === null ? null : left.type, right.type);
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(location)) : error;
    }
  }

  /** A call with its arguments coerced to the resolved signature. */
  private call(fn: ResolvedFunction, args: readonly BoundExpr[], locations: readonly (number | undefined)[]): BoundExpr {
    const coerced = args.map((arg, i) => {
      const target = fn.argTypes[i];
      return target === undefined ? arg : this.coerceTo(arg, target, 'implicit', locations[i]);
    });
    return { kind: 'Call', type: fn.returnType, fn, args: coerced };
  }

  private bindDistinct(expr: A_Expr, notDistinct: boolean): BoundExpr {
    const [left, right] = this.bindCommon([requireNode(expr.lexpr), requireNode(expr.rexpr)], 'IS DISTINCT FROM', expr.location);
    const l = requireValue(left);
    const r = requireValue(right);
    const differs: BoundExpr = this.call(this.resolveOp('<>', l, r, expr.location), [l, r], []);
    const isNull = (arg: BoundExpr, negated: boolean): BoundExpr => ({ kind: 'IsNull', type: Types.bool, arg, negated });
    const distinct: BoundExpr = {
      kind: 'Case', type: Types.bool,
      whens: [{ when: isNull(l, false), then: isNull(r, true) }, { when: isNull(r, false), then: literalBool(true) }],
      otherwise: differs,
    };
    return notDistinct ? { kind: 'Not', type: Types.bool, arg: distinct } : distinct;
  }

  private bindInList(expr: A_Expr, negated: boolean): BoundExpr {
    const right = requireNode(expr.rexpr);
    const items = 'List' in right ? right.List.items ?? [] : [right];
    const bound = this.bindCommon([requireNode(expr.lexpr), ...items], 'IN', expr.location);
    const [arg, ...list] = bound;
    const argument = requireValue(arg);
    const equals = this.resolveOp('=', argument, requireValue(list[0]), expr.location);
    return { kind: 'InList', type: Types.bool, arg: argument, list, equals, negated };
  }

  private bindBetween(expr: A_Expr): BoundExpr {
    const bounds = requireNode(expr.rexpr);
    const items = 'List' in bounds ? bounds.List.items ?? [] : [];
    const [lowNode, highNode] = items;
    const argNode = requireNode(expr.lexpr);
    const inRange = (low: Node, high: Node): BoundExpr => ({
      kind: 'And', type: Types.bool,
      args: [this.bindOperator('>=', argNode, low, expr.location), this.bindOperator('<=', argNode, high, expr.location)],
    });
    const low = requireNode(lowNode);
    const high = requireNode(highNode);
    const symmetric = expr.kind === 'AEXPR_BETWEEN_SYM' || expr.kind === 'AEXPR_NOT_BETWEEN_SYM';
    const test: BoundExpr = symmetric
      ? { kind: 'Or', type: Types.bool, args: [inRange(low, high), inRange(high, low)] }
      : inRange(low, high);
    const negated = expr.kind === 'AEXPR_NOT_BETWEEN' || expr.kind === 'AEXPR_NOT_BETWEEN_SYM';
    return negated ? { kind: 'Not', type: Types.bool, arg: test } : test;
  }

  private bindBoolExpr(op: string | undefined, args: readonly Node[]): BoundExpr {
    const what = op === 'AND_EXPR' ? 'AND' : op === 'OR_EXPR' ? 'OR' : 'NOT';
    const bound = args.map((arg) => this.bindCondition(arg, what));
    if (op === 'NOT_EXPR') return { kind: 'Not', type: Types.bool, arg: requireValue(bound[0]) };
    return { kind: op === 'AND_EXPR' ? 'And' : 'Or', type: Types.bool, args: bound };
  }

  private bindBooleanTest(kind: string | undefined, argNode: Node): BoundExpr {
    const arg = this.bindCondition(argNode, 'IS TRUE');
    const test = kind?.includes('TRUE') ? 'true' : kind?.includes('FALSE') ? 'false' : 'unknown';
    return { kind: 'IsBool', type: Types.bool, arg, test, negated: kind?.includes('_NOT_') ?? false };
  }

  /** Binds an expression; an unknown-typed literal or parameter becomes text (as PostgreSQL does). */
  bindResolvingUnknown(node: Node): BoundExpr {
    const bound = this.bind(node);
    return bound.type.name === 'unknown' ? this.coerceTo(bound, Types.text, 'implicit', locationOf(node)) : bound;
  }

  /** Binds expressions that must share one type (CASE results, COALESCE, IN lists, UNION columns). */
  bindCommon(nodes: readonly Node[], what: string, location: number | undefined): BoundExpr[] {
    const bound = nodes.map((node) => this.bind(node));
    let type: DataType;
    try {
      type = commonType(bound.map((expr) => expr.type), what);
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(location)) : error;
    }
    return bound.map((expr, i) => this.coerceTo(expr, type, 'implicit', locationOf(nodes[i])));
  }

  private bindCase(expr: CaseExpr): BoundExpr {
    const whens = (expr.args ?? []).map((node) => ('CaseWhen' in node ? node.CaseWhen : undefined)).filter(isDefined);
    const conditions = whens.map((when) => {
      const condition = requireNode(when.expr);
      return expr.arg === undefined ? this.bindCondition(condition, 'CASE/WHEN')
        : this.bindOperator('=', expr.arg, condition, when.location);
    });
    const resultNodes = [...whens.map((when) => requireNode(when.result)), expr.defresult ?? nullConstant()];
    const results = this.bindCommon(resultNodes, 'CASE', expr.location);
    const otherwise = requireValue(results[results.length - 1]);
    return {
      kind: 'Case', type: otherwise.type,
      whens: conditions.map((when, i) => ({ when, then: requireValue(results[i]) })),
      otherwise,
    };
  }

  private bindGreatestLeast(op: string | undefined, nodes: readonly Node[], location: number | undefined): BoundExpr {
    const args = this.bindCommon(nodes, op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST', location);
    const first = requireValue(args[0]);
    const compare = this.resolveOp('<', first, first, location);
    return { kind: op === 'IS_GREATEST' ? 'Greatest' : 'Least', type: first.type, args, compare };
  }

  private bindFunctionCall(call: FuncCall): BoundExpr {
    const names = qualifiedName(call.funcname);
    const schema = names.length > 1 ? names[0] : undefined;
    const name = (names[names.length - 1] ?? '').toLowerCase();
    if (schema === 'information_schema' || schema === 'sluice_catalog') {
      throw new SqlError(SqlState.undefinedFunction, `function ${names.join('.')} does not exist`, this.at(call.location));
    }
    if (schema !== undefined && schema !== 'pg_catalog' && schema !== 'public') {
      throw new SqlError(SqlState.undefinedSchema, `schema "${schema}" does not exist`, this.at(call.location));
    }
    if (call.over !== undefined) return this.bindWindow(name, call, call.over);
    if (isAggregateName(name) && (schema === undefined || schema === 'pg_catalog')) return this.bindAggregate(name, call);
    if (call.agg_star || call.agg_distinct || call.agg_filter !== undefined) {
      throw new SqlError(SqlState.wrongObjectType, `${name} is not an aggregate function`, this.at(call.location));
    }
    const args = (call.args ?? []).map((arg) => this.bind(arg));
    let fn: ResolvedFunction;
    try {
      fn = resolveFunction(name, args.map((arg) => arg.type));
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(call.location)) : error;
    }
    return this.call(fn, args, (call.args ?? []).map(locationOf));
  }

  private bindWindow(name: string, call: FuncCall, over: WindowDef): BoundExpr {
    const collector = this.windows;
    if (collector === undefined) {
      if (this.clause === 'aggregate function calls') {
        throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot contain window function calls', this.at(call.location));
      }
      if (this.clause === 'window function calls') {
        throw new SqlError(SqlState.windowingError, 'window function calls cannot be nested', this.at(call.location));
      }
      throw new SqlError(SqlState.windowingError, `window functions are not allowed in ${this.clause}`, this.at(call.location));
    }
    if (over.name !== undefined || over.refname !== undefined) throw notSupported('named windows (WINDOW clause) are not supported yet');
    if (call.agg_filter !== undefined) throw notSupported('FILTER on window functions is not supported yet');
    if (call.agg_distinct === true) throw notSupported('DISTINCT is not implemented for window functions');
    if ((call.agg_order ?? []).length > 0) throw notSupported('aggregate ORDER BY is not implemented for window functions');
    if (isUnsupportedWindowName(name)) throw notSupported(`window function ${name} is not supported yet`);
    const ranking = isRankingName(name);
    if (!ranking && !isAggregateName(name)) {
      throw new SqlError(SqlState.wrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`, this.at(call.location));
    }
    this.windows = undefined;
    const clause = this.clause;
    this.clause = 'window function calls';
    try {
      const partitionBy = (over.partitionClause ?? []).map((node) => this.bindResolvingUnknown(node));
      const orderBy = (over.orderClause ?? []).map((node): SortKey => {
        const sortBy = 'SortBy' in node ? node.SortBy : undefined;
        if (sortBy?.node === undefined || sortBy.sortby_dir === 'SORTBY_USING') throw notSupported('unsupported ORDER BY in a window');
        const descending = sortBy.sortby_dir === 'SORTBY_DESC';
        const nullsFirst = sortBy.sortby_nulls === 'SORTBY_NULLS_FIRST' || (descending && sortBy.sortby_nulls !== 'SORTBY_NULLS_LAST');
        return { expr: this.bindResolvingUnknown(sortBy.node), descending, nullsFirst };
      });
      const frameEnd = windowFrameEnd(over);
      if (ranking) {
        if ((call.args ?? []).length > 0 || call.agg_star === true) {
          // rank(x) and dense_rank(x) are PostgreSQL's hypothetical-set aggregates (WITHIN GROUP).
          if (name !== 'row_number') throw new SqlError(SqlState.wrongObjectType, `WITHIN GROUP is required for ordered-set aggregate ${name}`);
          throw new SqlError(SqlState.undefinedFunction, `function ${name}(${call.agg_star === true ? '*' : '...'}) does not exist`);
        }
        return collector.add({ fn: { kind: name }, partitionBy, orderBy, frameEnd, type: Types.int8 });
      }
      const args = (call.args ?? []).map((arg) => this.bindResolvingUnknown(arg));
      const coerced = name === 'string_agg' ? args.map((arg) => this.coerceTo(arg, Types.text, 'implicit', call.location)) : args;
      const aggregate = plainAggregateCall(name, coerced, call.agg_star ?? false);
      return collector.add({ fn: { kind: 'aggregate', call: aggregate }, partitionBy, orderBy, frameEnd, type: aggregate.type });
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(call.location)) : error;
    } finally {
      this.windows = collector;
      this.clause = clause;
    }
  }

  private bindAggregate(name: string, call: FuncCall): BoundExpr {
    const collector = this.aggregates;
    if (collector === undefined) {
      throw new SqlError(SqlState.groupingError, `aggregate functions are not allowed in ${this.clause}`, this.at(call.location));
    }
    if (call.agg_filter !== undefined) throw notSupported('FILTER on aggregates is not supported yet');
    const windows = this.windows;
    this.aggregates = undefined;
    this.windows = undefined;
    this.clause = 'aggregate function calls';
    try {
      const args = (call.args ?? []).map((arg) => this.bindResolvingUnknown(arg));
      if (args.some((arg) => containsAggregate(arg))) {
        throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot be nested', this.at(call.location));
      }
      if (args.length > 0 && args.every(readsOnlyOuterColumns)) {
        // PostgreSQL computes such an aggregate in the enclosing query; Sluice does not (yet).
        throw new SqlError(SqlState.featureNotSupported, 'aggregates of only an enclosing query\'s columns are not supported yet', this.at(call.location));
      }
      const coerced = name === 'string_agg' ? args.map((arg) => this.coerceTo(arg, Types.text, 'implicit', call.location)) : args;
      const orderBy = (call.agg_order ?? []).map((node): SortKey => {
        const sortBy = 'SortBy' in node ? node.SortBy : undefined;
        if (sortBy?.node === undefined || sortBy.sortby_dir === 'SORTBY_USING') throw notSupported('unsupported ORDER BY in an aggregate');
        const descending = sortBy.sortby_dir === 'SORTBY_DESC';
        const nullsFirst = sortBy.sortby_nulls === 'SORTBY_NULLS_FIRST' || (descending && sortBy.sortby_nulls !== 'SORTBY_NULLS_LAST');
        const expr = this.bindResolvingUnknown(sortBy.node);
        return { expr: name === 'string_agg' && exprKeyOf(expr) === exprKeyOf(args[0]) ? coerced[0] ?? expr : expr, descending, nullsFirst };
      });
      return collector.add(name, coerced, call.agg_star ?? false, call.agg_distinct ?? false, orderBy);
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(call.location)) : error;
    } finally {
      this.aggregates = collector;
      this.windows = windows;
    }
  }

  private bindSqlValueFunction(fn: SQLValueFunction): BoundExpr {
    const names: Record<string, string> = {
      SVFOP_CURRENT_DATE: 'current_date', SVFOP_CURRENT_TIMESTAMP: 'now', SVFOP_CURRENT_TIMESTAMP_N: 'now',
      SVFOP_LOCALTIMESTAMP: 'localtimestamp', SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
      SVFOP_CURRENT_TIME: 'current_time', SVFOP_CURRENT_TIME_N: 'current_time',
      SVFOP_LOCALTIME: 'localtime', SVFOP_LOCALTIME_N: 'localtime',
      SVFOP_CURRENT_ROLE: 'current_user', SVFOP_CURRENT_USER: 'current_user', SVFOP_USER: 'current_user',
      SVFOP_SESSION_USER: 'session_user', SVFOP_CURRENT_CATALOG: 'current_database', SVFOP_CURRENT_SCHEMA: 'current_schema',
    };
    const name = names[fn.op ?? ''] ?? '';
    try {
      const resolved = resolveFunction(name, []);
      return { kind: 'Call', type: resolved.returnType, fn: resolved, args: [] };
    } catch (error) {
      throw error instanceof SqlError ? error.withPosition(this.position(fn.location)) : error;
    }
  }
}

function exprKeyOf(expr: BoundExpr | undefined): string {
  return expr === undefined ? '' : exprKey(expr);
}

/** Whether an expression reads outer references and no column of its own query. */
function readsOnlyOuterColumns(expr: BoundExpr): boolean {
  let outer = false;
  let own = false;
  mapExpr(expr, (node) => {
    if (node.kind === 'OuterRef') outer = true;
    if (node.kind === 'Column') own = true;
    return undefined;
  });
  return outer && !own;
}

function literalBool(value: boolean): BoundExpr {
  return { kind: 'Literal', type: Types.bool, value };
}

function nullConstant(): Node {
  return { A_Const: { isnull: true } };
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

export function requireNode(node: Node | undefined): Node {
  if (node === undefined) throw new SqlError(SqlState.syntaxError, 'incomplete expression');
  return node;
}

function requireValue<T>(value: T | undefined): T {
  if (value === undefined) throw new SqlError(SqlState.syntaxError, 'incomplete expression');
  return value;
}

/** The byte location the parser recorded for a node, when it has one. */
export function locationOf(node: Node | undefined): number | undefined {
  if (node === undefined) return undefined;
  const inner = Object.values(node)[0] as { location?: number } | undefined;
  return inner?.location;
}
