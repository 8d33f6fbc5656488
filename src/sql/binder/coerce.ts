// Coercion of bound expressions to a wanted type: unknown-typed string literals are parsed as that
// type (with the literal's position on error), undetermined parameters take the type, and anything
// else goes through a cast allowed in the given context.

import { SqlError, SqlState } from '../../common/errors.js';
import { formatType, sameType, type DataType, type Value } from '../../common/types.js';
import { parseText } from '../../common/value-text.js';
import { castValue, findCast } from '../../functions/resolve.js';
import type { CastContext } from '../../functions/function.js';
import { needsCatalogToParse } from '../../functions/catalog-casts.js';
import type { BoundExpr } from '../bound-expr.js';
import type { ParameterTypes } from './parameters.js';

export function isUnknown(expr: BoundExpr): boolean {
  return expr.type.name === 'unknown';
}

export function coerce(
  expr: BoundExpr,
  target: DataType,
  context: CastContext,
  parameters: ParameterTypes,
  position: number | undefined,
  timeZone = 'UTC',
): BoundExpr {
  if (sameType(expr.type, target)) return expr;
  if (target.name === 'unknown') return expr;
  if (expr.kind === 'Literal' && expr.type.name === 'unknown' && typeof expr.value === 'string' && needsCatalogToParse(target, expr.value)) {
    // 't'::regclass: the name is looked up in the catalog when the statement runs.
    return { kind: 'Cast', type: target, arg: { ...expr, type: { name: 'text' } }, context };
  }
  if (expr.kind === 'Literal' && expr.type.name === 'unknown') {
    return { kind: 'Literal', type: target, value: parseLiteral(expr.value, target, context, position, timeZone) };
  }
  if (expr.kind === 'Parameter' && expr.type.name === 'unknown') {
    parameters.determine(expr.index + 1, target);
    return { kind: 'Parameter', type: target, index: expr.index };
  }
  if (expr.kind === 'Literal' && expr.value === null) return { kind: 'Literal', type: target, value: null };
  if (expr.type.name === target.name && target.precision === undefined && target.element === undefined && expr.type.element === undefined) {
    return { ...expr, type: target } as BoundExpr;
  }
  if (findCast(expr.type, target, context) === null) {
    throw cannotCoerce(expr.type, target, context, position);
  }
  return { kind: 'Cast', type: target, arg: expr, context };
}

/**
 * An unknown-typed literal as a value of `target`; explicit casts apply length limits by truncation.
 * Times without a zone are read in the session's time zone, as PostgreSQL reads them.
 */
function parseLiteral(value: unknown, target: DataType, context: CastContext, position: number | undefined, timeZone: string): Value {
  if (value === null) return null;
  try {
    if (context === 'explicit' && target.precision !== undefined && target.element === undefined) {
      const unconstrained: DataType = { name: target.name };
      return castValue(parseText(unconstrained, String(value), timeZone), unconstrained, target, context);
    }
    return parseText(target, String(value), timeZone);
  } catch (error) {
    if (error instanceof SqlError) throw error.withPosition(position);
    throw error;
  }
}

function cannotCoerce(from: DataType, to: DataType, context: CastContext, position: number | undefined): SqlError {
  const at = position === undefined ? {} : { position };
  if (context === 'explicit') {
    return new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(from)} to ${formatType(to)}`, at);
  }
  return new SqlError(
    SqlState.datatypeMismatch,
    `expression is of type ${formatType(from)} but ${formatType(to)} is required`,
    { ...at, hint: 'You will need to rewrite or cast the expression.' },
  );
}
