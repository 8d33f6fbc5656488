// `array[i]`: the element at a 1-based position (0-based for int2vector and oidvector, as in
// PostgreSQL), NULL when out of bounds. Multi-dimensional arrays are indexed one level per subscript.

import { Types, type DataType, type Value } from '../common/types.js';
import type { ResolvedFunction } from './function.js';

/** The element type `type[i]` yields, or undefined when the type cannot be subscripted. */
export function subscriptResultType(type: DataType): DataType | undefined {
  if (type.element !== undefined) return type.element;
  if (type.name === 'int2vector') return Types.int2;
  if (type.name === 'oidvector') return Types.oid;
  return undefined;
}

export function arraySubscript(type: DataType): ResolvedFunction | undefined {
  const element = subscriptResultType(type);
  if (element === undefined) return undefined;
  const base = type.element === undefined ? 0 : 1;
  const argTypes = [type, Types.int4];
  const impl = (args: readonly Value[]): Value => {
    const [array, index] = args;
    if (!Array.isArray(array) || typeof index !== 'number') return null;
    return array[index - base] ?? null;
  };
  return { def: { name: '[]', args: argTypes, returns: element, strict: true, volatility: 'immutable', impl }, argTypes, returnType: element };
}
