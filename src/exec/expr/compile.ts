// Turns a bound expression into nested JavaScript closures, once per execution, so that evaluating a
// row walks no tree and switches on no node kinds. Implements SQL's three-valued logic (AND, OR, NOT,
// IN, CASE), strict functions' NULL short-circuit, and folds immutable calls and casts whose
// arguments are constants. A folding error is deferred to execution, so it is raised only if the
// expression is actually evaluated.

import { SqlError, internalError, unreachable } from '../../common/errors.js';
import { formatType, sameType, type DataType, type TypeName, type Value } from '../../common/types.js';
import { castForExecution } from '../../functions/casts.js';
import { comparatorFor } from '../../functions/compare.js';
import type { FunctionContext, ResolvedFunction } from '../../functions/function.js';
import type {
  BoundCall, BoundCase, BoundCast, BoundExpr, BoundGreatestLeast, BoundInList, BoundIsBool, BoundLogical, BoundNullIf,
} from '../../sql/bound-expr.js';

export type CompiledExpr = (row: readonly Value[], params: readonly Value[]) => Value;

/** A compiled node, with its value when it is a constant (so parents can fold). */
interface Compiled {
  readonly run: CompiledExpr;
  readonly constant?: { readonly value: Value };
}

const emptyRow: readonly Value[] = [];

function constant(value: Value): Compiled {
  return { run: () => value, constant: { value } };
}

/** Compiles `expr` against a statement's function context. */
export function compileExpr(expr: BoundExpr, context: FunctionContext): CompiledExpr {
  return compile(expr, context).run;
}

/** Evaluates an expression that reads no columns (a literal, a constant call, a parameter). */
export function evaluateConstant(expr: BoundExpr, context: FunctionContext, params: readonly Value[] = []): Value {
  return compile(expr, context).run(emptyRow, params);
}

function compile(expr: BoundExpr, context: FunctionContext): Compiled {
  switch (expr.kind) {
    case 'Literal': return constant(expr.value);
    case 'Parameter': {
      const index = expr.index;
      return { run: (_row, params) => params[index] ?? null };
    }
    case 'Column': {
      const index = expr.index;
      return { run: (row) => row[index] ?? null };
    }
    case 'Call': return compileCall(expr, context);
    case 'Cast': return compileCast(expr, context);
    case 'And': case 'Or': return compileLogical(expr, context);
    case 'Not': {
      const arg = compile(expr.arg, context);
      if (arg.constant !== undefined) return constant(not(arg.constant.value));
      const run = arg.run;
      return { run: (row, params) => not(run(row, params)) };
    }
    case 'IsNull': {
      const arg = compile(expr.arg, context);
      const negated = expr.negated;
      if (arg.constant !== undefined) return constant((arg.constant.value === null) !== negated);
      const run = arg.run;
      return { run: negated ? (row, params) => run(row, params) !== null : (row, params) => run(row, params) === null };
    }
    case 'IsBool': return compileIsBool(expr, context);
    case 'Case': return compileCase(expr, context);
    case 'Coalesce': return compileCoalesce(expr.args.map((arg) => compile(arg, context)));
    case 'NullIf': return compileNullIf(expr, context);
    case 'InList': return compileInList(expr, context);
    case 'Greatest': case 'Least': return compileGreatestLeast(expr, context);
    case 'OuterRef': {
      const fromEnd = expr.slot + 1;
      return { run: (_row, params) => params[params.length - fromEnd] ?? null };
    }
    case 'Subquery': throw internalError('a subquery was left in an expression instead of an Apply node');
    default: return unreachable(expr, 'bound expression');
  }
}

function not(value: Value): Value {
  return value === null ? null : !(value as boolean);
}

/** Runs `evaluate` now if possible; an error becomes a closure that raises it when evaluated. */
function fold(evaluate: () => Value): Compiled {
  try {
    return constant(evaluate());
  } catch (error) {
    if (!(error instanceof SqlError)) throw error;
    return { run: () => { throw error; } };
  }
}

// ---------------------------------------------------------------------------------------------
// Calls

function compileCall(expr: BoundCall, context: FunctionContext): Compiled {
  const args = expr.args.map((arg, i) => coerceArg(compile(arg, context), arg.type, expr.fn.argTypes[i], context));
  return compileFunction(expr.fn, args, context);
}

/** Inserts a conversion when an argument's type differs from the resolved parameter type. */
function coerceArg(arg: Compiled, from: DataType, to: DataType | undefined, context: FunctionContext): Compiled {
  if (to === undefined || to.name === 'unknown' || sameBaseType(from, to)) return arg;
  const cast = castForExecution(from, to, 'implicit');
  if (cast === null) return arg;
  if (arg.constant !== undefined) {
    const value = arg.constant.value;
    return fold(() => cast(value, context));
  }
  const run = arg.run;
  return { run: (row, params) => cast(run(row, params), context) };
}

function sameBaseType(a: DataType, b: DataType): boolean {
  if (a.name !== b.name) return false;
  if (a.element === undefined || b.element === undefined) return a.element === b.element;
  return sameBaseType(a.element, b.element);
}

function compileFunction(fn: ResolvedFunction, args: readonly Compiled[], context: FunctionContext): Compiled {
  const { impl, strict, volatility } = fn.def;
  if (volatility === 'immutable' && args.every((arg) => arg.constant !== undefined)) {
    const values = args.map((arg) => arg.constant?.value ?? null);
    if (strict && values.some((value) => value === null)) return constant(null);
    return fold(() => impl(values, context));
  }
  if (strict && args.some((arg) => arg.constant !== undefined && arg.constant.value === null)) return constant(null);
  const runs = args.map((arg) => arg.run);
  if (!strict) {
    return { run: (row, params) => impl(runs.map((run) => run(row, params)), context) };
  }
  switch (runs.length) {
    case 0: return { run: () => impl([], context) };
    case 1: {
      const [a] = runs as [CompiledExpr];
      return {
        run: (row, params) => {
          const x = a(row, params);
          return x === null ? null : impl([x], context);
        },
      };
    }
    case 2: {
      const [a, b] = runs as [CompiledExpr, CompiledExpr];
      return {
        run: (row, params) => {
          const x = a(row, params);
          if (x === null) return null;
          const y = b(row, params);
          return y === null ? null : impl([x, y], context);
        },
      };
    }
    default:
      return {
        run: (row, params) => {
          const values: Value[] = new Array<Value>(runs.length);
          for (let i = 0; i < runs.length; i++) {
            const value = (runs[i] as CompiledExpr)(row, params);
            if (value === null) return null;
            values[i] = value;
          }
          return impl(values, context);
        },
      };
  }
}

/** A two-argument call of a resolved function (IN, NULLIF), with the arguments cast as needed. */
function binaryCaller(fn: ResolvedFunction, leftType: DataType, rightType: DataType, context: FunctionContext): (a: Value, b: Value) => Value {
  const { impl, strict } = fn.def;
  const castLeft = argumentCast(leftType, fn.argTypes[0], context);
  const castRight = argumentCast(rightType, fn.argTypes[1], context);
  return (a, b) => {
    const x = castLeft(a);
    const y = castRight(b);
    if (strict && (x === null || y === null)) return null;
    return impl([x, y], context);
  };
}

function argumentCast(from: DataType, to: DataType | undefined, context: FunctionContext): (value: Value) => Value {
  if (to === undefined || to.name === 'unknown' || sameBaseType(from, to)) return (value) => value;
  const cast = castForExecution(from, to, 'implicit');
  if (cast === null) return (value) => value;
  return (value) => cast(value, context);
}

// ---------------------------------------------------------------------------------------------
// Casts

function compileCast(expr: BoundCast, context: FunctionContext): Compiled {
  const arg = compile(expr.arg, context);
  const from = expr.arg.type;
  if (sameType(from, expr.type)) return arg;
  const cast = castForExecution(from, expr.type, expr.context ?? 'assignment');
  if (cast === null) {
    throw internalError(`no cast from ${formatType(from)} to ${formatType(expr.type)} for a bound cast`);
  }
  if (arg.constant !== undefined) {
    const value = arg.constant.value;
    return fold(() => cast(value, context));
  }
  const run = arg.run;
  return { run: (row, params) => cast(run(row, params), context) };
}

// ---------------------------------------------------------------------------------------------
// Logic

function compileLogical(expr: BoundLogical, context: FunctionContext): Compiled {
  const isAnd = expr.kind === 'And';
  // The value that decides the result on its own: false for AND, true for OR.
  const decisive = !isAnd;
  const args: Compiled[] = [];
  let sawNull = false;
  for (const arg of expr.args.map((node) => compile(node, context))) {
    if (arg.constant === undefined) {
      args.push(arg);
    } else if (arg.constant.value === decisive) {
      return constant(decisive);
    } else if (arg.constant.value === null) {
      sawNull = true;
    }
  }
  if (args.length === 0) return constant(sawNull ? null : !decisive);
  const runs = args.map((arg) => arg.run);
  const initialNull = sawNull;
  if (runs.length === 2 && !initialNull) {
    const [a, b] = runs as [CompiledExpr, CompiledExpr];
    return {
      run: (row, params) => {
        const x = a(row, params);
        if (x === decisive) return decisive;
        const y = b(row, params);
        if (y === decisive) return decisive;
        return x === null || y === null ? null : !decisive;
      },
    };
  }
  return {
    run: (row, params) => {
      let unknown = initialNull;
      for (const run of runs) {
        const value = run(row, params);
        if (value === decisive) return decisive;
        if (value === null) unknown = true;
      }
      return unknown ? null : !decisive;
    },
  };
}

function compileIsBool(expr: BoundIsBool, context: FunctionContext): Compiled {
  const arg = compile(expr.arg, context);
  const wanted: Value = expr.test === 'true' ? true : expr.test === 'false' ? false : null;
  const negated = expr.negated;
  const test = (value: Value): boolean => (value === wanted) !== negated;
  if (arg.constant !== undefined) return constant(test(arg.constant.value));
  const run = arg.run;
  return { run: (row, params) => test(run(row, params)) };
}

function compileCase(expr: BoundCase, context: FunctionContext): Compiled {
  const arms: { readonly when: Compiled; readonly then: Compiled }[] = [];
  let otherwise: Compiled | undefined;
  for (const arm of expr.whens) {
    const when = compile(arm.when, context);
    if (when.constant !== undefined) {
      // A constant false/NULL arm never fires; a constant true arm ends the CASE.
      if (when.constant.value !== true) continue;
      otherwise = compile(arm.then, context);
      break;
    }
    arms.push({ when, then: compile(arm.then, context) });
  }
  otherwise ??= compile(expr.otherwise, context);
  if (arms.length === 0) return otherwise;
  const whens = arms.map((arm) => arm.when.run);
  const thens = arms.map((arm) => arm.then.run);
  const fallback = otherwise.run;
  const count = whens.length;
  return {
    run: (row, params) => {
      for (let i = 0; i < count; i++) {
        if ((whens[i] as CompiledExpr)(row, params) === true) return (thens[i] as CompiledExpr)(row, params);
      }
      return fallback(row, params);
    },
  };
}

function compileCoalesce(args: readonly Compiled[]): Compiled {
  const remaining: Compiled[] = [];
  for (const arg of args) {
    if (arg.constant !== undefined) {
      if (arg.constant.value === null) continue;
      if (remaining.length === 0) return arg;
      remaining.push(arg);
      break;
    }
    remaining.push(arg);
  }
  if (remaining.length === 0) return constant(null);
  if (remaining.length === 1) return remaining[0] as Compiled;
  const runs = remaining.map((arg) => arg.run);
  return {
    run: (row, params) => {
      for (const run of runs) {
        const value = run(row, params);
        if (value !== null) return value;
      }
      return null;
    },
  };
}

function compileNullIf(expr: BoundNullIf, context: FunctionContext): Compiled {
  const left = compile(expr.left, context).run;
  const right = compile(expr.right, context).run;
  const equals = binaryCaller(expr.equals, expr.left.type, expr.right.type, context);
  return {
    run: (row, params) => {
      const value = left(row, params);
      if (value === null) return null;
      return equals(value, right(row, params)) === true ? null : value;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// IN lists

/** Types whose values are JS primitives that are equal exactly when PostgreSQL's = says so. */
const hashableTypes = new Set<TypeName>([
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'text', 'varchar', 'name', 'char', 'date', 'time',
  'timestamp', 'timestamptz', 'uuid', 'oid', 'jsonb',
]);

function compileInList(expr: BoundInList, context: FunctionContext): Compiled {
  const arg = compile(expr.arg, context);
  const items = expr.list.map((item) => compile(item, context));
  const negated = expr.negated;
  const finish = (result: Value): Value => (result === null ? null : negated ? !(result as boolean) : result);
  const argType = expr.arg.type;
  const plainEquality = expr.equals.def.name === '=' && argType.element === undefined && hashableTypes.has(argType.name)
    && expr.equals.argTypes.every((type) => sameBaseType(type, argType))
    && expr.list.every((item) => sameBaseType(item.type, argType));
  if (plainEquality && items.every((item) => item.constant !== undefined)) {
    const values = new Set<Value>();
    let hasNull = false;
    for (const item of items) {
      const value = item.constant?.value ?? null;
      if (value === null) hasNull = true;
      else values.add(value);
    }
    const run = arg.run;
    return {
      run: (row, params) => {
        const value = run(row, params);
        if (value === null) return null;
        if (values.has(value)) return !negated;
        return hasNull ? null : negated;
      },
    };
  }
  const equalsFns = expr.list.map((item) => binaryCaller(expr.equals, argType, item.type, context));
  const runs = items.map((item) => item.run);
  const run = arg.run;
  return {
    run: (row, params) => {
      const value = run(row, params);
      if (value === null) return null;
      let unknown = false;
      for (let i = 0; i < runs.length; i++) {
        const item = (runs[i] as CompiledExpr)(row, params);
        if (item === null) {
          unknown = true;
          continue;
        }
        const equal = (equalsFns[i] as (a: Value, b: Value) => Value)(value, item);
        if (equal === true) return finish(true);
        if (equal === null) unknown = true;
      }
      return unknown ? null : finish(false);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// GREATEST / LEAST

function compileGreatestLeast(expr: BoundGreatestLeast, context: FunctionContext): Compiled {
  const args = expr.args.map((arg) => compile(arg, context));
  const greatest = expr.kind === 'Greatest';
  const lessThan = lessThanFor(expr.compare, expr.type, context);
  const runs = args.map((arg) => arg.run);
  const evaluate: CompiledExpr = (row, params) => {
    let best: Value = null;
    for (const run of runs) {
      const value = run(row, params);
      if (value === null) continue;
      if (best === null || (greatest ? lessThan(best, value) : lessThan(value, best))) best = value;
    }
    return best;
  };
  if (args.every((arg) => arg.constant !== undefined)) return fold(() => evaluate(emptyRow, []));
  return { run: evaluate };
}

/** a < b for GREATEST/LEAST: the type's own order when the operator is the built-in one. */
function lessThanFor(compare: ResolvedFunction, type: DataType, context: FunctionContext): (a: Value, b: Value) => boolean {
  const builtin = compare.argTypes.every((argType) => sameBaseType(argType, type));
  if (builtin && compare.def.name === '<') {
    const order = comparatorFor(type);
    return (a, b) => order(a, b) < 0;
  }
  const call = binaryCaller(compare, type, type, context);
  return (a, b) => call(a, b) === true;
}
