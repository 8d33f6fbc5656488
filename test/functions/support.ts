// Helpers for function and expression tests: a fixed function context and builders that resolve
// and evaluate calls and operators on literal arguments, the way the binder and compiler would.

import type { DataType, Value } from '../../src/common/types.js';
import type { FunctionContext } from '../../src/functions/function.js';
import { resolveFunction, resolveOperator } from '../../src/functions/resolve.js';
import type { BoundExpr } from '../../src/sql/bound-expr.js';
import { evaluateConstant } from '../../src/exec/expr/compile.js';

export function testContext(settings: Record<string, string> = {}): FunctionContext {
  const all: Record<string, string> = { timezone: 'UTC', ...settings };
  return {
    database: 'sluice',
    user: 'alice',
    schema: 'public',
    transactionTimestamp: 1_700_000_000_000_000n,
    statementTimestamp: 1_700_000_001_000_000n,
    serverVersion: 'PostgreSQL 15.0 (Sluice)',
    setting: (name) => all[name],
  };
}

export const t = (name: DataType['name'], extra: Partial<DataType> = {}): DataType => ({ name, ...extra });

export function literal(type: DataType, value: Value): BoundExpr {
  return { kind: 'Literal', type, value };
}

export function callExpr(name: string, args: readonly BoundExpr[]): BoundExpr {
  const fn = resolveFunction(name, args.map((arg) => arg.type));
  return { kind: 'Call', type: fn.returnType, fn, args };
}

export function opExpr(op: string, left: BoundExpr | null, right: BoundExpr): BoundExpr {
  const fn = resolveOperator(op, left === null ? null : left.type, right.type);
  return { kind: 'Call', type: fn.returnType, fn, args: left === null ? [right] : [left, right] };
}

export function evaluate(expr: BoundExpr, settings: Record<string, string> = {}): Value {
  return evaluateConstant(expr, testContext(settings));
}
