// Helpers for writing FunctionDefs compactly: a builder with PostgreSQL's defaults (strict,
// immutable) and the type shorthands the definition modules use.

import { Types, type DataType, type Value } from '../common/types.js';
import type { FunctionContext, FunctionDef } from './function.js';
import { anyType } from './type-rules.js';

export const T = {
  ...Types,
  bpchar: { name: 'bpchar' },
  char: { name: 'char' },
  time: { name: 'time' },
  regclass: { name: 'regclass' },
  regtype: { name: 'regtype' },
  textArray: { name: 'text', element: { name: 'text' } },
  any: anyType,
} as const satisfies Record<string, DataType>;

export interface DefOptions {
  readonly strict?: boolean;
  readonly volatility?: FunctionDef['volatility'];
  readonly variadic?: boolean;
}

export function def(
  name: string,
  args: readonly DataType[],
  returns: FunctionDef['returns'],
  impl: (args: readonly Value[], context: FunctionContext) => Value,
  options: DefOptions = {},
): FunctionDef {
  return {
    name, args, returns, impl,
    strict: options.strict ?? true,
    volatility: options.volatility ?? 'immutable',
    ...(options.variadic === undefined ? {} : { variadic: options.variadic }),
  };
}

/** A strict immutable binary operator or function of two arguments. */
export function binary<A extends Value, B extends Value>(
  name: string, left: DataType, right: DataType, returns: DataType, impl: (a: A, b: B) => Value,
): FunctionDef {
  return def(name, [left, right], returns, (args) => impl(args[0] as A, args[1] as B));
}

/** A strict immutable function of one argument. */
export function unary<A extends Value>(name: string, arg: DataType, returns: DataType, impl: (a: A) => Value): FunctionDef {
  return def(name, [arg], returns, (args) => impl(args[0] as A));
}
