// Overload resolution, as PostgreSQL's func_select_candidate does it (the rules in the manual's
// "Type Conversion" chapter): an exact match wins; otherwise candidates reachable by implicit casts
// are narrowed by most exact matches, then most preferred types, then by resolving unknown-typed
// arguments (string category first), then by assuming unknowns share the one known type. Also the
// common type of UNION/CASE/COALESCE branches (select_common_type). This is the API the binder calls.

import { SqlError, SqlState } from '../common/errors.js';
import { formatType, type DataType } from '../common/types.js';
import type { CastContext, FunctionDef, ResolvedFunction } from './function.js';
import { findCast as findCastFunction, type CastFunction } from './casts.js';
import { functionsNamed, operatorsNamed } from './registry.js';
import {
  canCoerceImplicitly, isAnyType, isPreferredType, typeCategory, type TypeCategory,
} from './type-rules.js';

export { castValue } from './casts.js';
export type { CastFunction } from './casts.js';

/** The conversion from `from` to `to` when that cast is allowed in `context`, else null. */
export function findCast(from: DataType, to: DataType, context: CastContext): CastFunction | null {
  return findCastFunction(from, to, context);
}

interface Candidate {
  readonly def: FunctionDef;
  /** Declared types for this call's arity (variadic arguments expanded). */
  readonly declared: readonly DataType[];
}

const unknownType: DataType = { name: 'unknown' };

function isUnknown(type: DataType): boolean {
  return type.name === 'unknown' && type.element === undefined;
}

function sameBaseType(a: DataType, b: DataType): boolean {
  if (a.name !== b.name) return false;
  if (a.element === undefined || b.element === undefined) return a.element === b.element;
  return sameBaseType(a.element, b.element);
}

function expand(def: FunctionDef, arity: number): Candidate | undefined {
  if (def.variadic === true) {
    const fixed = def.args.length - 1;
    const repeated = def.args[fixed];
    if (repeated === undefined || arity < fixed) return undefined;
    return { def, declared: [...def.args.slice(0, fixed), ...Array.from({ length: arity - fixed }, () => repeated)] };
  }
  return def.args.length === arity ? { def, declared: def.args } : undefined;
}

function accepts(candidate: Candidate, args: readonly DataType[]): boolean {
  return candidate.declared.every((declared, i) => {
    const actual = args[i] ?? unknownType;
    return isUnknown(actual) || isAnyType(declared) || sameBaseType(actual, declared) || canCoerceImplicitly(actual, declared);
  });
}

function exactMatches(candidate: Candidate, args: readonly DataType[]): number {
  return candidate.declared.filter((declared, i) => {
    const actual = args[i] ?? unknownType;
    return !isUnknown(actual) && !isAnyType(declared) && sameBaseType(actual, declared);
  }).length;
}

function preferredMatches(candidate: Candidate, args: readonly DataType[]): number {
  return candidate.declared.filter((declared, i) => {
    const actual = args[i] ?? unknownType;
    if (isUnknown(actual) || isAnyType(declared)) return false;
    return sameBaseType(actual, declared) || (isPreferredType(declared) && typeCategory(declared) === typeCategory(actual));
  }).length;
}

function keepBest(candidates: readonly Candidate[], score: (candidate: Candidate) => number): Candidate[] {
  let best = -1;
  let kept: Candidate[] = [];
  for (const candidate of candidates) {
    const value = score(candidate);
    if (value > best) {
      best = value;
      kept = [candidate];
    } else if (value === best) {
      kept.push(candidate);
    }
  }
  return kept;
}

function categoryOfDeclared(type: DataType): TypeCategory {
  return isAnyType(type) ? 'P' : typeCategory(type);
}

/** Narrows candidates by the categories they accept at unknown-typed positions (string first). */
function resolveUnknowns(candidates: Candidate[], args: readonly DataType[]): Candidate[] {
  let remaining = candidates;
  for (let i = 0; i < args.length; i++) {
    if (!isUnknown(args[i] ?? unknownType)) continue;
    let category: TypeCategory | undefined;
    let hasPreferred = false;
    let conflict = false;
    for (const candidate of remaining) {
      const declared = candidate.declared[i] ?? unknownType;
      const current = categoryOfDeclared(declared);
      const preferred = isPreferredType(declared);
      if (category === undefined) {
        category = current;
        hasPreferred = preferred;
      } else if (current === category) {
        hasPreferred ||= preferred;
      } else if (current === 'S') {
        category = current;
        hasPreferred = preferred;
      } else {
        conflict = true;
      }
    }
    if (conflict && category !== 'S') return candidates;
    const kept = remaining.filter((candidate) => {
      const declared = candidate.declared[i] ?? unknownType;
      return categoryOfDeclared(declared) === category && (!hasPreferred || isPreferredType(declared));
    });
    if (kept.length > 0) remaining = kept;
  }
  return remaining;
}

/** With both unknown and known arguments all of one type, assume the unknowns are that type too. */
function assumeKnownType(candidates: readonly Candidate[], args: readonly DataType[]): Candidate | undefined {
  const known = args.filter((type) => !isUnknown(type));
  const first = known[0];
  if (first === undefined || known.length === args.length || !known.every((type) => sameBaseType(type, first))) return undefined;
  const assumed = args.map(() => first);
  const matching = candidates.filter((candidate) => accepts(candidate, assumed));
  return matching.length === 1 ? matching[0] : undefined;
}

type Choice = { readonly candidate: Candidate } | { readonly ambiguous: true } | undefined;

function selectCandidate(defs: readonly FunctionDef[], args: readonly DataType[], binaryOperator: boolean): Choice {
  const all = defs.map((def) => expand(def, args.length)).filter((candidate): candidate is Candidate => candidate !== undefined);
  // Exact match; for a binary operator an unknown side is taken to be the other side's type.
  let lookup = args;
  if (binaryOperator && args.length === 2) {
    const [left = unknownType, right = unknownType] = args;
    if (isUnknown(left) && !isUnknown(right)) lookup = [right, right];
    else if (isUnknown(right) && !isUnknown(left)) lookup = [left, left];
  }
  const exact = all.find((candidate) => candidate.declared.every((declared, i) => {
    const actual = lookup[i] ?? unknownType;
    return !isUnknown(actual) && !isAnyType(declared) && sameBaseType(actual, declared);
  }));
  if (exact !== undefined) return { candidate: exact };

  let candidates = all.filter((candidate) => accepts(candidate, args));
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { candidate: candidates[0] as Candidate };
  candidates = keepBest(candidates, (candidate) => exactMatches(candidate, args));
  if (candidates.length === 1) return { candidate: candidates[0] as Candidate };
  candidates = keepBest(candidates, (candidate) => preferredMatches(candidate, args));
  if (candidates.length === 1) return { candidate: candidates[0] as Candidate };
  if (args.some(isUnknown)) {
    candidates = resolveUnknowns(candidates, args);
    if (candidates.length === 1) return { candidate: candidates[0] as Candidate };
    const assumed = assumeKnownType(candidates, args);
    if (assumed !== undefined) return { candidate: assumed };
  }
  return { ambiguous: true };
}

/** The argument types a chosen candidate needs: declared types, with "any" positions keeping theirs. */
function resolved(candidate: Candidate, args: readonly DataType[]): ResolvedFunction {
  const argTypes = candidate.declared.map((declared, i) => {
    if (!isAnyType(declared)) return declared;
    const actual = args[i] ?? unknownType;
    return isUnknown(actual) ? { name: 'text' } as DataType : actual;
  });
  const returns = candidate.def.returns;
  const returnType = typeof returns === 'function' ? returns(argTypes) : returns;
  const bind = candidate.def.bind;
  const def = bind === undefined ? candidate.def : { ...candidate.def, impl: bind(argTypes) };
  return { def, argTypes, returnType };
}

function typeList(args: readonly DataType[]): string {
  return args.map(formatType).join(', ');
}

/** Resolves a function call by name and argument types (42883 if none fits, 42725 if ambiguous). */
export function resolveFunction(name: string, argTypes: readonly DataType[]): ResolvedFunction {
  const lower = name.toLowerCase();
  const choice = selectCandidate(functionsNamed(lower), argTypes, false);
  if (choice === undefined) {
    throw new SqlError(SqlState.undefinedFunction, `function ${lower}(${typeList(argTypes)}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if ('ambiguous' in choice) {
    throw new SqlError(SqlState.ambiguousFunction, `function ${lower}(${typeList(argTypes)}) is not unique`, {
      hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
    });
  }
  return resolved(choice.candidate, argTypes);
}

/** Resolves a prefix (left = null) or infix operator. */
export function resolveOperator(op: string, left: DataType | null, right: DataType): ResolvedFunction {
  const args = left === null ? [right] : [left, right];
  const choice = selectCandidate(operatorsNamed(op), args, left !== null);
  const shown = left === null ? `${op} ${formatType(right)}` : `${formatType(left)} ${op} ${formatType(right)}`;
  if (choice === undefined) {
    throw new SqlError(SqlState.undefinedFunction, `operator does not exist: ${shown}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  if ('ambiguous' in choice) {
    throw new SqlError(SqlState.ambiguousFunction, `operator is not unique: ${shown}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  }
  return resolved(choice.candidate, args);
}

/**
 * The type that UNION, CASE, COALESCE, IN and VALUES branches are converted to. `context` names the
 * construct in the error ("CASE types integer and text cannot be matched", 42804). All-unknown
 * inputs resolve to text. A type modifier survives only if every input has the same one.
 */
export function commonType(types: readonly DataType[], context: string): DataType {
  const known = types.filter((type) => !isUnknown(type));
  let chosen = known[0];
  if (chosen === undefined) return { name: 'text' };
  let chosenCategory = typeCategory(chosen);
  let chosenPreferred = isPreferredType(chosen);
  for (const next of known.slice(1)) {
    if (sameBaseType(next, chosen)) continue;
    const nextCategory = typeCategory(next);
    if (nextCategory !== chosenCategory) {
      throw new SqlError(SqlState.datatypeMismatch, `${context} types ${formatType(chosen)} and ${formatType(next)} cannot be matched`);
    }
    if (!chosenPreferred && canCoerceImplicitly(chosen, next) && !canCoerceImplicitly(next, chosen)) {
      chosen = next;
      chosenCategory = nextCategory;
      chosenPreferred = isPreferredType(next);
    }
  }
  const result = chosen;
  for (const type of known) {
    if (!canCoerceImplicitly(type, result) && !sameBaseType(type, result)) {
      throw new SqlError(SqlState.datatypeMismatch, `${context} could not convert type ${formatType(type)} to ${formatType(result)}`);
    }
  }
  const sameModifier = known.every((type) => sameBaseType(type, result) && type.precision === result.precision && type.scale === result.scale);
  if (sameModifier) return result;
  return result.element === undefined ? { name: result.name } : { name: result.name, element: result.element };
}
