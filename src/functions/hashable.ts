// Types whose values the executor may compare by hash key (exec/batch/row-key.ts) instead of by
// calling `=`: equal values always have equal keys. Not bpchar (trailing spaces), intervals
// (1 mon = 30 days), json and arrays.

import type { DataType, TypeName } from '../common/types.js';

const hashable = new Set<TypeName>([
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'varchar', 'name', 'char', 'date', 'time',
  'timestamp', 'timestamptz', 'uuid', 'jsonb', 'oid', 'regclass', 'regtype', 'bytea',
]);

export function hashableType(type: DataType): boolean {
  return type.element === undefined && hashable.has(type.name);
}
