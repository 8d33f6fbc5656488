// Set-returning functions usable in FROM (and, through the binder's rewrite, in a select list):
// generate_series over integers, unnest of an array, pg_partition_ancestors (psql's \d of a
// partitioned table) and information_schema._pg_expandarray (JDBC's key and index metadata).
// Each returns its rows at once; the number of rows generate_series may produce is bounded by
// limits.functionScanRowsMax. ROWS FROM (f(), g()) zips several into one.

import { SqlError, SqlState } from '../common/errors.js';
import { limits } from '../common/limits.js';
import { Types, type DataType, type Value } from '../common/types.js';
import { subscriptResultType } from './array-subscript.js';
import type { FunctionContext } from './function.js';

export interface SetReturningFunction {
  readonly name: string;
  /** Argument types the call's arguments are coerced to. */
  readonly argTypes: readonly DataType[];
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
  /** The rows for these argument values (NULL arguments give no rows). */
  readonly rows: (args: readonly Value[], context: FunctionContext) => Value[][];
}

function checkedCount(count: bigint): void {
  if (count > BigInt(limits.functionScanRowsMax)) {
    throw new SqlError(SqlState.programLimitExceeded, `a set-returning function may return at most ${limits.functionScanRowsMax} rows`);
  }
}

function series(type: DataType): (args: readonly Value[]) => Value[][] {
  const wide = type.name === 'int8';
  return (args) => {
    if (args.some((arg) => arg === null)) return [];
    const [start, stop, step = wide ? 1n : 1] = args.map((arg) => BigInt(arg as number | bigint));
    if (start === undefined || stop === undefined) return [];
    const by = BigInt(step);
    if (by === 0n) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
    const count = by > 0n ? (stop >= start ? (stop - start) / by + 1n : 0n) : (start >= stop ? (start - stop) / -by + 1n : 0n);
    checkedCount(count);
    const rows: Value[][] = [];
    for (let i = 0n, value = start; i < count; i++, value += by) rows.push([wide ? value : Number(value)]);
    return rows;
  };
}

/** Names of the set-returning functions, by the schema they live in. */
const setReturningNames: ReadonlyMap<string, string> = new Map([
  ['generate_series', 'pg_catalog'], ['unnest', 'pg_catalog'], ['pg_partition_ancestors', 'pg_catalog'],
  ['_pg_expandarray', 'information_schema'],
]);

/**
 * Whether a (possibly qualified) function name names a set-returning function. pg_catalog's are
 * found unqualified too; information_schema is not on the search path, so its must be qualified.
 */
export function isSetReturningName(names: readonly string[]): boolean {
  const name = (names[names.length - 1] ?? '').toLowerCase();
  const schema = setReturningNames.get(name);
  if (schema === undefined || names.length > 2) return false;
  return names.length === 2 ? names[0] === schema : schema === 'pg_catalog';
}

/**
 * Several set-returning functions side by side (ROWS FROM, or several in one select list): row i
 * holds each function's row i, NULLs for a function whose rows ran out, until all have.
 */
export function zipSetReturning(fns: readonly SetReturningFunction[]): SetReturningFunction {
  if (fns.length === 1 && fns[0] !== undefined) return fns[0];
  const widths = fns.map((fn) => fn.argTypes.length);
  return {
    name: `ROWS FROM (${fns.map((fn) => fn.name).join(', ')})`,
    argTypes: fns.flatMap((fn) => fn.argTypes),
    columns: fns.flatMap((fn) => fn.columns),
    rows: (args, context) => {
      let offset = 0;
      const sets = fns.map((fn, i) => {
        const own = args.slice(offset, offset + (widths[i] ?? 0));
        offset += widths[i] ?? 0;
        return fn.rows(own, context);
      });
      const count = Math.max(0, ...sets.map((set) => set.length));
      const rows: Value[][] = [];
      for (let r = 0; r < count; r++) {
        rows.push(sets.flatMap((set, i) => set[r] ?? (fns[i]?.columns ?? []).map(() => null)));
      }
      return rows;
    },
  };
}

/** The set-returning function `name` for argument types, or undefined when there is none. */
export function resolveSetReturning(name: string, argTypes: readonly DataType[], alias: string): SetReturningFunction | undefined {
  const lower = name.toLowerCase();
  if (lower === 'generate_series' && (argTypes.length === 2 || argTypes.length === 3)) {
    const wide = argTypes.some((type) => type.name === 'int8' || type.name === 'numeric');
    const type = wide ? Types.int8 : Types.int4;
    return { name: lower, argTypes: argTypes.map(() => type), columns: [{ name: alias, type }], rows: series(type) };
  }
  if (lower === 'unnest' && argTypes.length === 1) {
    const arrayType = argTypes[0];
    const element = arrayType?.element ?? Types.text;
    return {
      name: lower, argTypes: [arrayType?.element === undefined ? { name: 'text', element: Types.text } : arrayType],
      columns: [{ name: alias, type: element }],
      rows: (args) => (args[0] === null ? [] : (args[0] as Value[]).flat(Number.POSITIVE_INFINITY as 1).map((item) => [item as Value])),
    };
  }
  if (lower === '_pg_expandarray' && argTypes.length === 1) {
    const arrayType = argTypes[0] as DataType;
    const element = subscriptResultType(arrayType);
    if (element === undefined) return undefined;
    return {
      name: lower, argTypes: [arrayType], columns: [{ name: 'x', type: element }, { name: 'n', type: Types.int4 }],
      rows: (args) => (args[0] === null ? [] : (args[0] as Value[]).map((item, i) => [item, i + 1])),
    };
  }
  if (lower === 'pg_partition_ancestors' && argTypes.length === 1) {
    return {
      name: lower, argTypes: [{ name: 'regclass' }], columns: [{ name: 'relid', type: { name: 'regclass' } }],
      rows: (args, context) => (args[0] === null ? [] : (context.catalog?.partitionAncestors(args[0] as number) ?? []).map((oid) => [oid])),
    };
  }
  return undefined;
}
