// `x op ANY (array)` and `x op ALL (array)` over an array value: the element comparison applied to
// each element, with SQL's three-valued result (ANY: true if any is true, else NULL if any was
// NULL, else false; ALL dually). Built from the resolved element operator by the binder.

import type { DataType, Value } from '../common/types.js';
import type { FunctionContext, ResolvedFunction } from './function.js';

export function arrayComparison(element: ResolvedFunction, quantifier: 'any' | 'all', arrayType: DataType): ResolvedFunction {
  const compare = element.def.impl;
  const strict = element.def.strict;
  const decisive = quantifier === 'any';
  const impl = (args: readonly Value[], context: FunctionContext): Value => {
    const [value, array] = args;
    if (array === null || array === undefined) return null;
    let sawNull = false;
    for (const item of array as Value[]) {
      const result = strict && (value === null || item === null) ? null : compare([value ?? null, item], context);
      if (result === null) sawNull = true;
      else if (result === decisive) return decisive;
    }
    return sawNull ? null : !decisive;
  };
  const argTypes = [element.argTypes[0] ?? arrayType, arrayType];
  return {
    def: { name: `${element.def.name} ${quantifier}`, args: argTypes, returns: element.returnType, strict: false, volatility: element.def.volatility, impl },
    argTypes,
    returnType: element.returnType,
  };
}
