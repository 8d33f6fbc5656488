// Array concatenation: `array || array`, `array || element`, `element || array` (PostgreSQL's
// array_cat, array_append, array_prepend), one definition per element type. NULL arrays act as
// empty, as in PostgreSQL.

import type { DataType, Value } from '../common/types.js';
import type { FunctionDef } from './function.js';
import { T, def } from './define.js';

const elementTypes: readonly DataType[] = [
  T.bool, T.int2, T.int4, T.int8, T.float4, T.float8, T.numeric, T.text, T.varchar, T.name, T.char, T.date,
  T.timestamp, T.timestamptz, T.uuid, T.oid,
];

function concatDefs(element: DataType): FunctionDef[] {
  const array: DataType = { name: element.name, element };
  const items = (value: Value | undefined): Value[] => (Array.isArray(value) ? value : []);
  return [
    def('||', [array, array], array, (args) => (args[0] === null && args[1] === null ? null : [...items(args[0]), ...items(args[1])]), { strict: false }),
    def('||', [array, element], array, (args) => [...items(args[0]), args[1] ?? null], { strict: false }),
    def('||', [element, array], array, (args) => [args[0] ?? null, ...items(args[1])], { strict: false }),
  ];
}

export const arrayOperatorDefs: readonly FunctionDef[] = elementTypes.flatMap(concatDefs);
