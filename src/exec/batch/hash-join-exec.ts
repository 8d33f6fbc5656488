// Hash join on equality keys: builds a table of the right input by its key values, then streams
// the left input through it (an inner join may build from the left input and stream the right one
// instead, when the optimizer knows the left is smaller). Rows with a NULL in their key match
// nothing (SQL's `=`), but still appear NULL-padded in outer joins. The residual condition is
// tested on each key match. Output rows are [left..., right...] either way.
import type { JoinKey } from '../../sql/plan/logical-join.js';
import { compileExpr } from '../expr/compile.js';
import { collectBuildRows, concatRow, probe, type JoinShape } from './join-matcher.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';
import { rowKey } from './row-key.js';
import type { Value } from '../../common/types.js';

/**
 * Types whose values are JS primitives that `=` compares exactly as Map keys do (SameValueZero):
 * with one key column of the same such type on both sides, the value itself is the hash key.
 */
const primitiveKeyTypes = new Set(['bool', 'int2', 'int4', 'text', 'varchar']);

type KeyFunction = (row: readonly Value[], params: readonly Value[]) => Value;

/** The hash key of a row (null when a key value is NULL: it matches nothing). */
function keyMaker(keys: readonly JoinKey[], functions: readonly KeyFunction[], params: readonly Value[]): (row: Row) => unknown {
  const only = functions[0];
  if (keys.length === 1 && only !== undefined && keys[0]!.left.type.name === keys[0]!.right.type.name && primitiveKeyTypes.has(keys[0]!.left.type.name)) {
    return (row) => only(row, params);
  }
  return (row) => {
    const values = functions.map((fn) => fn(row, params));
    return values.includes(null) ? null : rowKey(values);
  };
}

export class HashJoinExec implements BatchOperator {
  constructor(private readonly left: BatchOperator, private readonly right: BatchOperator,
    private readonly keys: readonly JoinKey[], private readonly shape: JoinShape, private readonly buildLeft = false) {}

  execute(context: ExecContext): AsyncGenerator<RowBatch> {
    return this.buildLeft ? this.innerBuildingLeft(context) : this.buildingRight(context);
  }

  private async *buildingRight(context: ExecContext): AsyncGenerator<RowBatch> {
    const leftKeyOf = keyMaker(this.keys, this.keys.map((key) => compileExpr(key.left, context.functions)), context.params);
    const rightKeyOf = keyMaker(this.keys, this.keys.map((key) => compileExpr(key.right, context.functions)), context.params);
    const table = new Map<unknown, number[]>();
    const buildRows = await collectBuildRows(this.right, context, (row, index) => {
      const key = rightKeyOf(row);
      if (key === null) return;
      const bucket = table.get(key);
      if (bucket === undefined) table.set(key, [index]);
      else bucket.push(index);
    });
    if (buildRows.length === 0 && (this.shape.joinType === 'inner' || this.shape.joinType === 'semi' || this.shape.joinType === 'right')) return;
    yield* probe(this.shape, this.left, context, buildRows, (row) => {
      const key = leftKeyOf(row);
      return key === null ? undefined : table.get(key);
    });
  }

  /** Inner join with the hash table built from the left input and the right input streamed. */
  private async *innerBuildingLeft(context: ExecContext): AsyncGenerator<RowBatch> {
    const params = context.params;
    const leftKeyOf = keyMaker(this.keys, this.keys.map((key) => compileExpr(key.left, context.functions)), params);
    const rightKeyOf = keyMaker(this.keys, this.keys.map((key) => compileExpr(key.right, context.functions)), params);
    const test = this.shape.condition === null ? null : compileExpr(this.shape.condition, context.functions);
    const table = new Map<unknown, Row[]>();
    await collectBuildRows(this.left, context, (row) => {
      const key = leftKeyOf(row);
      if (key === null) return;
      const bucket = table.get(key);
      if (bucket === undefined) table.set(key, [row]);
      else bucket.push(row);
    });
    if (table.size === 0) return;
    for await (const batch of this.right.execute(context)) {
      const out: RowBatch = [];
      for (const right of batch) {
        const key = rightKeyOf(right);
        for (const left of (key === null ? undefined : table.get(key)) ?? []) {
          const joined = concatRow(left, right);
          if (test === null || test(joined, params) === true) out.push(joined);
        }
      }
      if (out.length > 0) yield out;
    }
  }
}
