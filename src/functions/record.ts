// Records: `ROW(a, b)` builds one (its fields named f1, f2, ... unless the binder names them, as
// for a set-returning function's whole row), and `(r).name` selects a field of one. A record's
// value is the array of its field values.

import type { DataType, RecordField, Value } from '../common/types.js';
import type { ResolvedFunction } from './function.js';

export function recordType(fields: readonly RecordField[]): DataType {
  return { name: 'record', fields };
}

export function rowConstructor(fields: readonly RecordField[]): ResolvedFunction {
  const argTypes = fields.map((field) => field.type);
  const returnType = recordType(fields);
  const impl = (args: readonly Value[]): Value => [...args];
  return { def: { name: 'row', args: argTypes, returns: returnType, strict: false, volatility: 'immutable', impl }, argTypes, returnType };
}

/** `(r).name` on a record type, or undefined when the type has no such field. */
export function fieldSelect(type: DataType, name: string): ResolvedFunction | undefined {
  const index = type.fields?.findIndex((field) => field.name === name) ?? -1;
  const field = type.fields?.[index];
  if (field === undefined) return undefined;
  const argTypes = [type];
  const impl = (args: readonly Value[]): Value => (args[0] as Value[])[index] ?? null;
  return { def: { name: `.${name}`, args: argTypes, returns: field.type, strict: true, volatility: 'immutable', impl }, argTypes, returnType: field.type };
}
