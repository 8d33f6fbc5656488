// Hash keys of values and rows, for joins, DISTINCT, set operations and IN (subquery). Two
// values get the same key exactly when PostgreSQL's `=` says they are equal, for the types
// functions/hashable.ts accepts (integers of every width, numerics and floats compare by value: 5, 5n
// and 5.0 share a key). NULL has a key of its own: DISTINCT and set operations treat NULLs as
// equal; joins skip rows whose key has a NULL.

import { Decimal } from '../../common/decimal.js';
import type { Value } from '../../common/types.js';
import { valueKey } from '../aggregate/accumulator.js';

export { valueKey };
export { hashableType } from '../../functions/hashable.js';

/** The key of a row's values (whole row or computed key columns). */
export function rowKey(values: readonly Value[]): string {
  if (values.length === 1) return valueKey(values[0] ?? null);
  let key = '';
  for (let i = 0; i < values.length; i++) key += (i === 0 ? '' : '\u0002') + valueKey(values[i] ?? null);
  return key;
}

/**
 * A key that tells apart values `=` calls equal but that print differently (numeric 1.0 and 1.00,
 * -0 and 0, char(n) padding): for remembering results computed from the values themselves.
 */
export function exactRowKey(values: readonly Value[]): string {
  let key = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? null;
    const part = value instanceof Decimal ? `d${value.toString()}` : typeof value === 'number' && Object.is(value, -0) ? '-0'
      : typeof value === 'string' ? `s${value}` : valueKey(value);
    key += (i === 0 ? '' : '\u0002') + part;
  }
  return key;
}
