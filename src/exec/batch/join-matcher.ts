// What hash and nested-loop joins share: the build side held in memory, and the probe loop that
// pairs each left row with its candidate right rows, tests the residual condition, and emits the
// rows each join type wants (unmatched left rows padded with NULLs for LEFT/FULL, left rows alone
// for semi and anti joins, unmatched right rows at the end for RIGHT/FULL).
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';
import type { Value } from '../../common/types.js';
import type { BoundExpr } from '../../sql/bound-expr.js';
import type { JoinType } from '../../sql/plan/logical-join.js';
import { compileExpr } from '../expr/compile.js';
import type { BatchOperator, ExecContext, Row, RowBatch } from './operator.js';

/**
 * `left` followed by `right`, as a new row. Not Array.prototype.concat: apache-arrow defines
 * Symbol.isConcatSpreadable, which sends every concat in the process down V8's slow generic path
 * (about 15 times slower than copying).
 */
export function concatRow(left: readonly Value[], right: readonly Value[]): Row {
  const joined = left.slice() as Row;
  for (let index = 0; index < right.length; index++) joined.push(right[index]!);
  return joined;
}

export interface JoinShape {
  readonly joinType: JoinType;
  readonly condition: BoundExpr | null;
  readonly leftWidth: number;
  readonly rightWidth: number;
}

/** Reads the whole build input, keeping at most limits.joinBuildRowsMax rows. */
export async function collectBuildRows(input: BatchOperator, context: ExecContext, onRow: (row: Row, index: number) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of input.execute(context)) {
    for (const row of batch) {
      if (rows.length >= limits.joinBuildRowsMax) {
        throw new SqlError(SqlState.programLimitExceeded, `a join can hold at most ${limits.joinBuildRowsMax} rows of its right input`);
      }
      onRow(row, rows.length);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Probes the left input against the build rows. `candidates(row)` gives the indexes of the build
 * rows that may match a left row (all of them for a nested loop, one hash bucket for a hash join).
 */
export async function* probe(shape: JoinShape, left: BatchOperator, context: ExecContext, buildRows: readonly Row[],
  candidates: (row: Row) => readonly number[] | undefined): AsyncGenerator<RowBatch> {
  const test = shape.condition === null ? null : compileExpr(shape.condition, context.functions);
  const params = context.params;
  const type = shape.joinType;
  const matched = type === 'right' || type === 'full' ? new Uint8Array(buildRows.length) : null;
  const nullRight: Value[] = new Array<Value>(shape.rightWidth).fill(null);
  let out: RowBatch = [];
  for await (const batch of left.execute(context)) {
    for (const row of batch) {
      let found = false;
      for (const index of candidates(row) ?? []) {
        const right = buildRows[index] as Row;
        const joined = concatRow(row, right);
        if (test !== null && test(joined, params) !== true) continue;
        found = true;
        if (type === 'semi' || type === 'anti') break;
        if (matched !== null) matched[index] = 1;
        out.push(joined);
      }
      if (found ? type === 'semi' : type === 'anti') out.push(row);
      else if (!found && (type === 'left' || type === 'full')) out.push(concatRow(row, nullRight));
      if (out.length >= limits.rowsPerBatchMax) {
        yield out;
        out = [];
      }
    }
  }
  if (matched !== null) {
    const nullLeft: Value[] = new Array<Value>(shape.leftWidth).fill(null);
    for (let index = 0; index < buildRows.length; index++) {
      if (matched[index] === 1) continue;
      out.push(concatRow(nullLeft, buildRows[index] as Row));
      if (out.length >= limits.rowsPerBatchMax) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
