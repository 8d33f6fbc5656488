// The expression compiler: three-valued logic, CASE/COALESCE/NULLIF/IN semantics with NULLs,
// strict-function short-circuit, constant folding, and reading columns and parameters.

import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/common/errors.js';
import type { DataType, Value } from '../../../src/common/types.js';
import { compileExpr, evaluateConstant } from '../../../src/exec/expr/compile.js';
import { resolveOperator } from '../../../src/functions/resolve.js';
import type { BoundExpr } from '../../../src/sql/bound-expr.js';
import { callExpr, literal, opExpr, t, testContext } from '../../functions/support.js';

const bool = t('bool');
const int = t('int4');
const b = (value: boolean | null): BoundExpr => literal(bool, value);
const i = (value: number | null): BoundExpr => literal(int, value);
const column = (index: number, type: DataType = int): BoundExpr => ({ kind: 'Column', type, index, name: `c${index}` });
const param = (index: number, type: DataType = int): BoundExpr => ({ kind: 'Parameter', type, index });
const run = (expr: BoundExpr, row: readonly Value[] = [], params: readonly Value[] = []): Value =>
  compileExpr(expr, testContext())(row, params);

const truthValues = [true, false, null] as const;

describe('three-valued logic', () => {
  it('AND and OR follow SQL truth tables, with columns and constants alike', () => {
    const and = (x: boolean | null, y: boolean | null): boolean | null =>
      x === false || y === false ? false : x === null || y === null ? null : true;
    const or = (x: boolean | null, y: boolean | null): boolean | null =>
      x === true || y === true ? true : x === null || y === null ? null : false;
    for (const x of truthValues) {
      for (const y of truthValues) {
        const byColumns = (kind: 'And' | 'Or'): BoundExpr => ({ kind, type: bool, args: [column(0, bool), column(1, bool)] });
        expect(run(byColumns('And'), [x, y])).toBe(and(x, y));
        expect(run(byColumns('Or'), [x, y])).toBe(or(x, y));
        expect(run({ kind: 'And', type: bool, args: [b(x), column(0, bool)] }, [y])).toBe(and(x, y));
        expect(run({ kind: 'Or', type: bool, args: [column(0, bool), b(y), column(1, bool)] }, [x, x])).toBe(or(x, y));
      }
      expect(run({ kind: 'Not', type: bool, arg: column(0, bool) }, [x])).toBe(x === null ? null : !x);
    }
  });

  it('short-circuits: a decisive operand stops evaluation of later ones', () => {
    const failing = opExpr('=', opExpr('/', column(0), i(0)), i(1));
    expect(run({ kind: 'And', type: bool, args: [b(false), failing] }, [1])).toBe(false);
    expect(run({ kind: 'Or', type: bool, args: [opExpr('=', column(0), i(1)), failing] }, [1])).toBe(true);
    expect(() => run({ kind: 'And', type: bool, args: [b(null), failing] }, [1])).toThrow(SqlError);
  });

  it('evaluates IS [NOT] TRUE/FALSE/UNKNOWN and IS [NOT] NULL', () => {
    const isBool = (test: 'true' | 'false' | 'unknown', negated: boolean): BoundExpr =>
      ({ kind: 'IsBool', type: bool, arg: column(0, bool), test, negated });
    expect(truthValues.map((x) => run(isBool('true', false), [x]))).toEqual([true, false, false]);
    expect(truthValues.map((x) => run(isBool('false', true), [x]))).toEqual([true, false, true]);
    expect(truthValues.map((x) => run(isBool('unknown', false), [x]))).toEqual([false, false, true]);
    expect(run({ kind: 'IsNull', type: bool, arg: column(0), negated: false }, [null])).toBe(true);
    expect(run({ kind: 'IsNull', type: bool, arg: column(0), negated: true }, [null])).toBe(false);
  });
});

describe('conditional expressions', () => {
  it('CASE takes the first true arm and treats NULL as not true', () => {
    const expr: BoundExpr = {
      kind: 'Case', type: int,
      whens: [{ when: column(0, bool), then: i(1) }, { when: column(1, bool), then: i(2) }],
      otherwise: i(3),
    };
    expect(run(expr, [true, true])).toBe(1);
    expect(run(expr, [null, true])).toBe(2);
    expect(run(expr, [false, null])).toBe(3);
  });

  it('CASE never evaluates an arm whose condition is constant false', () => {
    const expr: BoundExpr = {
      kind: 'Case', type: int, whens: [{ when: b(false), then: opExpr('/', i(1), i(0)) }], otherwise: i(7),
    };
    expect(run(expr)).toBe(7);
  });

  it('COALESCE and NULLIF', () => {
    expect(run({ kind: 'Coalesce', type: int, args: [column(0), column(1), i(9)] }, [null, 4])).toBe(4);
    expect(run({ kind: 'Coalesce', type: int, args: [column(0), column(1)] }, [null, null])).toBe(null);
    const equals = resolveOperator('=', int, int);
    const nullIf = (left: BoundExpr, right: BoundExpr): BoundExpr => ({ kind: 'NullIf', type: int, left, right, equals });
    expect(run(nullIf(column(0), i(3)), [3])).toBe(null);
    expect(run(nullIf(column(0), i(3)), [4])).toBe(4);
    expect(run(nullIf(column(0), i(null)), [4])).toBe(4);
  });

  it('GREATEST and LEAST skip NULLs', () => {
    const compare = resolveOperator('<', int, int);
    const args = [column(0), column(1), column(2)];
    expect(run({ kind: 'Greatest', type: int, args, compare }, [3, null, 7])).toBe(7);
    expect(run({ kind: 'Least', type: int, args, compare }, [3, null, 7])).toBe(3);
    expect(run({ kind: 'Least', type: int, args, compare }, [null, null, null])).toBe(null);
  });
});

describe('IN lists', () => {
  const equals = resolveOperator('=', int, int);
  const inList = (list: readonly BoundExpr[], negated = false): BoundExpr =>
    ({ kind: 'InList', type: bool, arg: column(0), list, equals, negated });

  it('returns NULL when no item matches and some item is NULL', () => {
    for (const list of [[i(1), i(2), i(null)], [i(1), column(1), i(null)]]) {
      expect(run(inList(list), [2, 2])).toBe(true);
      expect(run(inList(list), [5, 2])).toBe(null);
      expect(run(inList(list, true), [5, 2])).toBe(null);
      expect(run(inList(list, true), [2, 2])).toBe(false);
      expect(run(inList(list), [null, 2])).toBe(null);
    }
    expect(run(inList([i(1), i(2)]), [5])).toBe(false);
    expect(run(inList([i(1), i(2)], true), [5])).toBe(true);
  });

  it('casts items to the comparison type', () => {
    const bigEquals = resolveOperator('=', int, t('int8'));
    const expr: BoundExpr = {
      kind: 'InList', type: bool, arg: column(0), list: [literal(t('int8'), 5n)], equals: bigEquals, negated: false,
    };
    expect(run(expr, [5])).toBe(true);
  });
});

describe('calls, casts and folding', () => {
  it('returns NULL from strict functions on a NULL argument without calling them', () => {
    expect(run(opExpr('/', column(0), i(0)), [null])).toBe(null);
    expect(run(callExpr('concat', [column(0, t('text')), literal(t('text'), 'x')]), [null])).toBe('x');
  });

  it('reads columns and parameters', () => {
    expect(run(opExpr('+', column(1), param(0)), [0, 40], [2])).toBe(42);
  });

  it('folds immutable calls and defers their errors to evaluation', () => {
    const folded = opExpr('+', i(1), i(2));
    expect(evaluateConstant(folded, testContext())).toBe(3);
    const failing = opExpr('/', i(1), i(0));
    const compiled = compileExpr(failing, testContext());
    expect(() => compiled([], [])).toThrow('division by zero');
  });

  it('applies casts with their context', () => {
    const text = literal(t('text'), 'abcdef');
    const explicit: BoundExpr = { kind: 'Cast', type: t('varchar', { precision: 3 }), arg: text, context: 'explicit' };
    expect(run(explicit)).toBe('abc');
    const assignment: BoundExpr = { kind: 'Cast', type: t('varchar', { precision: 3 }), arg: text };
    expect(() => run(assignment)).toThrow('value too long for type character varying(3)');
    const toInt: BoundExpr = { kind: 'Cast', type: int, arg: column(0, t('numeric')), context: 'explicit' };
    expect(run({ kind: 'Cast', type: t('bool'), arg: i(3), context: 'explicit' })).toBe(true);
    expect(run(toInt, [null])).toBe(null);
  });

  it('evaluates unknown-typed literals by reading them as the parameter type', () => {
    const expr = opExpr('+', literal(t('unknown'), '41'), i(1));
    expect(run(expr)).toBe(42);
  });
});
