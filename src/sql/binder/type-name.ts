// Resolves a parser TypeName (`int`, `pg_catalog.varchar(10)`, `numeric(15,2)`, `text[]`) to a
// Sluice DataType, validating type modifiers as PostgreSQL does.

import type { TypeName as AstTypeName, Node } from 'libpg-query';
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { DataType, TypeName } from '../../common/types.js';

const aliases: Readonly<Record<string, TypeName>> = {
  bool: 'bool', boolean: 'bool',
  int2: 'int2', smallint: 'int2',
  int4: 'int4', int: 'int4', integer: 'int4',
  int8: 'int8', bigint: 'int8',
  float4: 'float4', real: 'float4',
  float8: 'float8', 'double precision': 'float8',
  numeric: 'numeric', decimal: 'numeric',
  text: 'text', varchar: 'varchar', 'character varying': 'varchar',
  bpchar: 'bpchar', character: 'bpchar', char: 'bpchar',
  name: 'name', bytea: 'bytea', date: 'date', time: 'time',
  timestamp: 'timestamp', 'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz', 'timestamp with time zone': 'timestamptz',
  interval: 'interval', uuid: 'uuid', jsonb: 'jsonb', json: 'json',
  oid: 'oid', regclass: 'regclass', regtype: 'regtype', regnamespace: 'regnamespace', regproc: 'regproc', regrole: 'regrole',
  int2vector: 'int2vector', oidvector: 'oidvector', aclitem: 'aclitem',
};

function stringOf(node: Node): string | undefined {
  return 'String' in node ? node.String.sval : undefined;
}

function integerModifiers(modifiers: readonly Node[] | undefined, position: number | undefined): number[] {
  return (modifiers ?? []).map((node) => {
    if ('A_Const' in node && node.A_Const.ival !== undefined) return node.A_Const.ival.ival ?? 0;
    throw new SqlError(SqlState.syntaxError, 'type modifiers must be simple constants or identifiers', position === undefined ? {} : { position });
  });
}

/** `position` is the 1-based position of the type name for error messages. */
export function bindTypeName(typeName: AstTypeName, position?: number): DataType {
  const names = (typeName.names ?? []).map(stringOf).filter((name): name is string => name !== undefined);
  const bare = names.length === 2 && names[0] === 'pg_catalog' ? names[1] : names.length === 1 ? names[0] : undefined;
  const quotedChar = names.length === 1 && names[0] === 'char' && typeName.names?.length === 1;
  const name = bare === undefined ? undefined : aliases[bare.toLowerCase()];
  if (name === undefined) {
    throw new SqlError(SqlState.undefinedObject, `type "${names.join('.')}" does not exist`, position === undefined ? {} : { position });
  }
  const base = applyModifiers(name, integerModifiers(typeName.typmods, position), names.join('.'), position, quotedChar);
  return typeName.arrayBounds && typeName.arrayBounds.length > 0 ? { name: base.name, element: base } : base;
}

function applyModifiers(name: TypeName, modifiers: number[], display: string, position: number | undefined, quotedChar: boolean): DataType {
  const at = position === undefined ? {} : { position };
  if (modifiers.length === 0) {
    // bpchar without a length is char(1) when written as `char`/`character`.
    return name === 'bpchar' && !quotedChar && display !== 'bpchar' ? { name, precision: 1 } : { name };
  }
  if (name === 'varchar' || name === 'bpchar') {
    const length = modifiers[0] ?? 0;
    if (modifiers.length > 1) throw new SqlError(SqlState.syntaxError, `invalid type modifier`, at);
    if (length < 1) throw new SqlError(SqlState.invalidParameterValue, `length for type ${name} must be at least 1`, at);
    if (length > limits.varcharLengthMax) {
      throw new SqlError(SqlState.invalidParameterValue, `length for type ${name} cannot exceed ${limits.varcharLengthMax}`, at);
    }
    return { name, precision: length };
  }
  if (name === 'numeric') {
    const precision = modifiers[0] ?? 0;
    const scale = modifiers[1] ?? 0;
    if (modifiers.length > 2) throw new SqlError(SqlState.syntaxError, 'invalid NUMERIC type modifier', at);
    if (precision < 1 || precision > limits.numericPrecisionMax) {
      throw new SqlError(SqlState.invalidParameterValue, `NUMERIC precision ${precision} must be between 1 and ${limits.numericPrecisionMax}`, at);
    }
    if (scale < 0 || scale > precision) {
      throw new SqlError(SqlState.invalidParameterValue, `NUMERIC scale ${scale} must be between 0 and precision ${precision}`, at);
    }
    return { name, precision, scale };
  }
  if (name === 'timestamp' || name === 'timestamptz' || name === 'time' || name === 'interval') {
    // Fractional-second precision is accepted; values keep microseconds.
    return { name };
  }
  if (name === 'float4' || name === 'float8') {
    return { name };
  }
  throw new SqlError(SqlState.syntaxError, `type modifier is not allowed for type "${display}"`, at);
}
