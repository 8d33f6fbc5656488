// Access-path selection for a filter right above a table scan. From the filter's conjuncts:
// - every primary-key column fixed by equality: a point lookup (one KV get);
// - else a leading prefix of the key fixed by equality, then bounds (<, <=, >, >=, BETWEEN) on the
//   next key column: a KV prefix or range scan;
// - equality / IN on partition-key columns: only the matching partitions are read;
// - every bucket-key column fixed by equality, or `_bucket = n` / `_bucket IN (...)`: only those
//   buckets are read;
// - `_offset` bounds on a log table: each bucket's log read starts and stops at those offsets;
// - when the primary key gives neither a prefix nor a range: equality on a leading prefix of a
//   secondary index's columns and bounds on the next one, an index scan (the index that fixes
//   the most columns, then one with bounds, wins).
// A conjunct becomes part of a key or offset range only when its constant has the column's own
// type (the binder casts constants that convert exactly; `int_key > 2.5` compares as numeric and
// stays a filter) and the type's SQL order is the key encoding's byte order. Such conjuncts are
// dropped from the filter; everything else stays above the scan, so pruning only ever removes
// rows the filter would have removed.

import { indexesOf, type TableDef } from '../../common/catalog-model.js';
import { sameType, type DataType, type TypeName } from '../../common/types.js';
import type { BoundExpr } from '../bound-expr.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { LogicalScan } from '../plan/logical-scan.js';
import { narrowsRead, type IndexAccess, type ScanAccess, type ScanBound } from '../plan/scan-access.js';
import { isSystemTable } from '../system/system-relation.js';

type Filter = Extract<LogicalPlan, { kind: 'Filter' }>;

/** Types whose comparison operators order values exactly as their key encoding does. */
const rangeTypes: ReadonlySet<TypeName> = new Set<TypeName>(['int2', 'int4', 'int8', 'date', 'time', 'timestamp', 'timestamptz', 'numeric', 'float8']);

export function chooseAccessPath(plan: Filter): LogicalPlan {
  const scan = plan.input;
  // System relations are built from the catalog, not read from tablets: their filters stay.
  if (scan.kind !== 'Scan' || scan.changelog || scan.access !== undefined || isSystemTable(scan.table)) return plan;
  const parts = conjuncts(plan.predicate);
  const consumed = new Set<number>();
  const lookup = pointLookup(scan, parts, consumed);
  if (lookup !== undefined) return withRest(lookup, parts, consumed, plan.predicate);
  const access = scanAccess(scan, parts, consumed);
  if (!narrowsRead(access)) return plan;
  return withRest({ ...scan, access }, parts, consumed, plan.predicate);
}

function conjuncts(expr: BoundExpr): BoundExpr[] {
  return expr.kind === 'And' ? expr.args.flatMap(conjuncts) : [expr];
}

function withRest(input: LogicalPlan, parts: readonly BoundExpr[], consumed: ReadonlySet<number>, predicate: BoundExpr): LogicalPlan {
  const rest = parts.filter((_, i) => !consumed.has(i));
  if (rest.length === 0) return input;
  return { kind: 'Filter', input, predicate: rest.length === 1 ? rest[0] as BoundExpr : { kind: 'And', type: predicate.type, args: rest } };
}

/** Fixed for one execution: literals, parameters, and a correlated subquery's outer references. */
function isConstant(expr: BoundExpr): boolean {
  if (expr.kind === 'Literal' || expr.kind === 'Parameter' || expr.kind === 'OuterRef') return true;
  return expr.kind === 'Cast' && isConstant(expr.arg);
}

/** A constant compared with a key column compares as the column's type (numeric ignores typmods). */
function compatible(column: DataType, value: DataType): boolean {
  return sameType(column, value) || (column.name === 'numeric' && value.name === 'numeric');
}

const flipped: Readonly<Record<string, string>> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `column op constant` (either side; the operator as seen from the column) for the column at `index`. */
function comparison(conjunct: BoundExpr, index: number): { op: string; value: BoundExpr } | undefined {
  if (conjunct.kind !== 'Call' || conjunct.args.length !== 2) return undefined;
  const name = conjunct.fn.def.name;
  if (flipped[name] === undefined) return undefined;
  const [left, right] = conjunct.args;
  if (left === undefined || right === undefined) return undefined;
  if (left.kind === 'Column' && left.index === index && isConstant(right) && compatible(left.type, right.type)) return { op: name, value: right };
  if (right.kind === 'Column' && right.index === index && isConstant(left) && compatible(right.type, left.type)) {
    return { op: flipped[name] as string, value: left };
  }
  return undefined;
}

/** The first conjunct `column = constant` for the column at `index` (any, or one not yet consumed). */
function equality(parts: readonly BoundExpr[], index: number, skip?: ReadonlySet<number>): { at: number; value: BoundExpr } | undefined {
  for (let at = 0; at < parts.length; at++) {
    if (skip?.has(at) === true) continue;
    const found = comparison(parts[at] as BoundExpr, index);
    if (found?.op === '=') return { at, value: found.value };
  }
  return undefined;
}

/** `column IN (constants...)` for the column at `index`. */
function inList(conjunct: BoundExpr, index: number): readonly BoundExpr[] | undefined {
  if (conjunct.kind !== 'InList' || conjunct.negated || conjunct.arg.kind !== 'Column' || conjunct.arg.index !== index) return undefined;
  const type = conjunct.arg.type;
  return conjunct.list.every((item) => isConstant(item) && compatible(type, item.type)) ? conjunct.list : undefined;
}

/** The values a column may take by an equality or IN conjunct (not consumed by this). */
function allowedValues(parts: readonly BoundExpr[], index: number): readonly BoundExpr[] | null {
  for (const part of parts) {
    const equal = comparison(part, index);
    if (equal?.op === '=') return [equal.value];
    const list = inList(part, index);
    if (list !== undefined) return list;
  }
  return null;
}

function columnIndexes(table: TableDef, names: readonly string[]): number[] {
  return names.map((name) => table.schema.columns.findIndex((column) => column.name === name));
}

function pointLookup(scan: LogicalScan, parts: readonly BoundExpr[], consumed: Set<number>): LogicalPlan | undefined {
  const keyIndexes = columnIndexes(scan.table, scan.table.schema.primaryKey);
  if (keyIndexes.length === 0) return undefined;
  const used = new Set<number>();
  const key: BoundExpr[] = [];
  for (const index of keyIndexes) {
    const found = equality(parts, index, used);
    if (found === undefined) return undefined;
    used.add(found.at);
    key.push(found.value);
  }
  for (const at of used) consumed.add(at);
  return { kind: 'Lookup', table: scan.table, partition: scan.partition, key };
}

function scanAccess(scan: LogicalScan, parts: readonly BoundExpr[], consumed: Set<number>): ScanAccess {
  const table = scan.table;
  const width = table.schema.columns.length;
  const isKv = table.schema.primaryKey.length > 0;
  const keyIndexes = columnIndexes(table, table.schema.primaryKey);
  const keyPrefix: BoundExpr[] = [];
  for (const index of keyIndexes) {
    const found = equality(parts, index, consumed);
    if (found === undefined) break;
    consumed.add(found.at);
    keyPrefix.push(found.value);
  }
  const rangeColumn = keyIndexes[keyPrefix.length];
  const keyRange = rangeColumn === undefined ? { lower: null, upper: null } : bounds(parts, rangeColumn, table, consumed);
  const partitionLists = columnIndexes(table, table.schema.partitionKey).map((index) => allowedValues(parts, index));
  const bucketKey: BoundExpr[] = [];
  for (const index of columnIndexes(table, table.schema.options.bucketKey)) {
    const found = equality(parts, index);
    if (found === undefined) break;
    bucketKey.push(found.value);
  }
  const offsets = isKv ? { lower: null, upper: null } : bounds(parts, width + 1, table, consumed);
  const index = isKv && keyPrefix.length === 0 && keyRange.lower === null && keyRange.upper === null
    ? indexAccess(table, parts, consumed) : undefined;
  return {
    ...(index === undefined ? {} : { index }),
    keyPrefix,
    keyLower: keyRange.lower,
    keyUpper: keyRange.upper,
    partitionValues: partitionLists.some((list) => list !== null) ? partitionLists : null,
    bucketKey: bucketKey.length > 0 && bucketKey.length === table.schema.options.bucketKey.length ? bucketKey : null,
    buckets: allowedValues(parts, width),
    offsetLower: offsets.lower,
    offsetUpper: offsets.upper,
  };
}

/** The best secondary index scan the conjuncts allow, consuming them; undefined when none fits. */
function indexAccess(table: TableDef, parts: readonly BoundExpr[], consumed: Set<number>): IndexAccess | undefined {
  let best: { access: IndexAccess; used: Set<number>; score: number } | undefined;
  for (const index of indexesOf(table)) {
    const used = new Set(consumed);
    const prefix: BoundExpr[] = [];
    const columns = columnIndexes(table, index.columns);
    for (const column of columns) {
      const found = equality(parts, column, used);
      if (found === undefined) break;
      used.add(found.at);
      prefix.push(found.value);
    }
    const next = columns[prefix.length];
    const range = next === undefined ? { lower: null, upper: null } : bounds(parts, next, table, used);
    const ranged = range.lower !== null || range.upper !== null;
    if (prefix.length === 0 && !ranged) continue;
    const score = prefix.length * 2 + (ranged ? 1 : 0);
    if (best !== undefined && best.score >= score) continue;
    best = { access: { indexOid: index.oid, name: index.name, columns: index.columns, prefix, lower: range.lower, upper: range.upper }, used, score };
  }
  if (best === undefined) return undefined;
  for (const at of best.used) consumed.add(at);
  return best.access;
}

/** The first lower and upper bound on the column at `index` from conjuncts not yet consumed. */
function bounds(parts: readonly BoundExpr[], index: number, table: TableDef, consumed: Set<number>): { lower: ScanBound | null; upper: ScanBound | null } {
  const width = table.schema.columns.length;
  const type: TypeName | undefined = index === width + 1 ? 'int8' : table.schema.columns[index]?.type.name;
  let lower: ScanBound | null = null;
  let upper: ScanBound | null = null;
  if (type === undefined || !rangeTypes.has(type)) return { lower, upper };
  for (let at = 0; at < parts.length; at++) {
    if (consumed.has(at)) continue;
    const found = comparison(parts[at] as BoundExpr, index);
    if (found === undefined) continue;
    const bound = { value: found.value, inclusive: found.op.endsWith('=') };
    if (found.op === '=') {
      if (lower !== null || upper !== null) continue;
      lower = bound;
      upper = bound;
    } else if (found.op.startsWith('>') && lower === null) lower = bound;
    else if (found.op.startsWith('<') && upper === null) upper = bound;
    else continue;
    consumed.add(at);
  }
  return { lower, upper };
}
