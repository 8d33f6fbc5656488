// EXPLAIN text of a scan's access path: which kind of KV read (prefix or range scan), the key
// range, how many partitions and buckets are read, and `_offset` bounds. Partitions and buckets
// are counted when the values are literals; parameters show as `?` (known only when executed).

import type { TableDef } from '../../common/catalog-model.js';
import { bucketOfValues } from '../../common/bucket-hash.js';
import type { DataType, Value } from '../../common/types.js';
import { formatText } from '../../common/value-text.js';
import type { BoundExpr } from '../bound-expr.js';
import type { ScanAccess, ScanBound } from './scan-access.js';

export interface ExplainedAccess {
  /** 'KV prefix scan', 'KV range scan' or 'Index scan', or undefined to keep the scan's own name. */
  readonly kind: string | undefined;
  /** The secondary index an index scan reads. */
  readonly using?: string;
  readonly parts: readonly string[];
}

const integers = new Set(['int2', 'int4', 'int8']);

/** The value of a literal (or an integer literal cast to another integer type) as `type`, or undefined. */
function literalValue(expr: BoundExpr, type: DataType): Value | undefined {
  if (expr.kind === 'Literal') return expr.type.name === type.name ? expr.value : undefined;
  if (expr.kind === 'Cast' && expr.arg.kind === 'Literal' && integers.has(expr.type.name) && integers.has(expr.arg.type.name)) {
    return expr.arg.value === null ? null : type.name === 'int8' ? BigInt(expr.arg.value as number | bigint) : Number(expr.arg.value);
  }
  return undefined;
}

function columnType(table: TableDef, name: string): DataType | undefined {
  return table.schema.columns.find((column) => column.name === name)?.type;
}

export function explainAccess(table: TableDef, access: ScanAccess, text: (expr: BoundExpr) => string): ExplainedAccess {
  const isKv = table.schema.primaryKey.length > 0;
  const ranged = access.keyLower !== null || access.keyUpper !== null;
  const kind = !isKv ? undefined : ranged ? 'KV range scan' : access.keyPrefix.length > 0 ? 'KV prefix scan' : undefined;
  const parts: string[] = [];
  const partitions = partitionsText(table, access);
  if (partitions !== undefined) parts.push(partitions);
  parts.push(bucketsText(table, access));
  const prefix = access.keyPrefix.map((value, i) => `${table.schema.primaryKey[i] ?? '?'} = ${text(value)}`);
  const rangeColumn = table.schema.primaryKey[access.keyPrefix.length] ?? '?';
  const range = boundsText(rangeColumn, access.keyLower, access.keyUpper, text);
  if (ranged) parts.push(`key: ${[...prefix, ...range].join(' AND ')}`);
  else if (prefix.length > 0) parts.push(`key prefix: ${prefix.join(' AND ')}`);
  const offsets = boundsText('_offset', access.offsetLower, access.offsetUpper, text);
  if (offsets.length > 0) parts.push(`offsets: ${offsets.join(' AND ')}`);
  const index = access.index;
  if (index !== undefined) {
    const equal = index.prefix.map((value, i) => `${index.columns[i] ?? '?'} = ${text(value)}`);
    const bounds = boundsText(index.columns[index.prefix.length] ?? '?', index.lower, index.upper, text);
    parts.push(`key: ${[...equal, ...bounds].join(' AND ')}`);
    return { kind: 'Index scan', using: index.name, parts };
  }
  return { kind, parts };
}

function boundsText(column: string, lower: ScanBound | null, upper: ScanBound | null, text: (expr: BoundExpr) => string): string[] {
  if (lower !== null && lower === upper) return [`${column} = ${text(lower.value)}`];
  const parts: string[] = [];
  if (lower !== null) parts.push(`${column} ${lower.inclusive ? '>=' : '>'} ${text(lower.value)}`);
  if (upper !== null) parts.push(`${column} ${upper.inclusive ? '<=' : '<'} ${text(upper.value)}`);
  return parts;
}

function partitionsText(table: TableDef, access: ScanAccess): string | undefined {
  const lists = access.partitionValues;
  if (lists === null) return undefined;
  const total = table.partitions.length;
  const allowed: (Set<string> | null)[] = [];
  for (const [i, list] of lists.entries()) {
    const type = columnType(table, table.schema.partitionKey[i] ?? '');
    if (list === null || type === undefined) {
      allowed.push(null);
      continue;
    }
    const values = list.map((expr) => literalValue(expr, type));
    if (values.some((value) => value === undefined)) return `partitions: ? of ${total}`;
    allowed.push(new Set(values.filter((value) => value !== null && value !== undefined).map((value) => formatText(type, value))));
  }
  const count = table.partitions.filter((partition) => allowed.every((texts, i) => texts === null || texts.has(partition.values[i] ?? ''))).length;
  return `partitions: ${count} of ${total}`;
}

function bucketsText(table: TableDef, access: ScanAccess): string {
  const total = table.schema.options.buckets;
  let buckets: Set<number> | null | undefined = null;
  if (access.bucketKey !== null) {
    const types = table.schema.options.bucketKey.map((name) => columnType(table, name));
    const values = access.bucketKey.map((expr, i) => {
      const type = types[i];
      return type === undefined ? undefined : literalValue(expr, type);
    });
    buckets = values.every((value) => value !== undefined && value !== null)
      ? new Set([bucketOfValues(types.filter((type): type is DataType => type !== undefined), values as Value[], total)])
      : undefined;
  }
  if (access.buckets !== null) {
    const named = access.buckets.map((expr) => literalValue(expr, { name: 'int4' }));
    if (named.some((value) => value === undefined)) buckets = undefined;
    else if (buckets !== undefined) {
      const set = new Set(named.filter((value) => value !== null && value !== undefined).map(Number).filter((bucket) => bucket >= 0 && bucket < total));
      buckets = buckets === null ? set : new Set([...buckets].filter((bucket) => set.has(bucket)));
    }
  }
  if (buckets === null) return `${total} buckets`;
  if (buckets === undefined) return `bucket ? of ${total}`;
  const [only] = buckets;
  return buckets.size === 1 && only !== undefined ? `bucket ${only} of ${total}` : `buckets: ${buckets.size} of ${total}`;
}
