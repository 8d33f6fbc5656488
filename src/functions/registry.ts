// The built-in catalog of operators and functions, like PostgreSQL's pg_operator and pg_proc: an
// immutable table assembled once from the definition modules and looked up by name.

import type { FunctionDef } from './function.js';
import { comparisonDefs } from './compare.js';
import { datetimeFunctionDefs, datetimeOperatorDefs } from './datetime.js';
import { jsonFunctionDefs, jsonOperatorDefs } from './json.js';
import { mathFunctionDefs, mathOperatorDefs } from './math.js';
import { numericOperatorDefs } from './operators-numeric.js';
import { stringFunctionDefs, stringOperatorDefs } from './string.js';
import { systemFunctionDefs } from './system.js';
import { catalogInfoFunctionDefs } from './catalog-info.js';
import { arrayOperatorDefs } from './array-operators.js';

function indexByName(defs: readonly FunctionDef[]): ReadonlyMap<string, readonly FunctionDef[]> {
  const index = new Map<string, FunctionDef[]>();
  for (const def of defs) {
    const list = index.get(def.name);
    if (list === undefined) index.set(def.name, [def]);
    else list.push(def);
  }
  return index;
}

const operators = indexByName([
  ...comparisonDefs, ...numericOperatorDefs, ...stringOperatorDefs, ...datetimeOperatorDefs, ...jsonOperatorDefs,
  ...mathOperatorDefs,
  ...arrayOperatorDefs,
]);

const functions = indexByName([
  ...mathFunctionDefs, ...stringFunctionDefs, ...datetimeFunctionDefs, ...jsonFunctionDefs, ...systemFunctionDefs,
  ...catalogInfoFunctionDefs,
]);

export function operatorsNamed(op: string): readonly FunctionDef[] {
  return operators.get(op) ?? [];
}

export function functionsNamed(name: string): readonly FunctionDef[] {
  return functions.get(name) ?? [];
}
